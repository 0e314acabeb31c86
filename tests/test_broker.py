"""The broker's shared log per watched generation: each subscription reads every event
published after it subscribed, in order, from its own place; one that falls behind the
log reads RESYNC; closing delivers what was published, then CLOSE; waits wake on a
publish and leave nothing behind when they time out or are cancelled."""

from __future__ import annotations

import asyncio

from programgen.server.broker import Broker, Signal, Subscription
from programgen.server.records import EventRecord, GenerationStatus


def event(sequence: int, generation_id: str = "g1") -> EventRecord:
    return EventRecord(
        generation_id=generation_id,
        sequence=sequence,
        status=GenerationStatus.PROCESSING,
        stage="profile_analysis",
        percent=0,
        message="",
        created_at=1.0,
        attempt=1,
    )


def drain(subscription: Subscription) -> list[int | Signal]:
    out: list[int | Signal] = []
    while (item := subscription.take()) is not None:
        out.append(item if isinstance(item, Signal) else item.sequence)
        if item is Signal.CLOSE:
            break
    return out


async def test_each_subscription_reads_every_later_event_in_order_from_its_own_place() -> None:
    broker = Broker(buffer=8)
    early = broker.subscribe("g1")
    broker.publish(event(1))
    late = broker.subscribe("g1")  # sees only what is published from now on
    other = broker.subscribe("g2")
    broker.publish(event(2))
    assert drain(early) == [1, 2]
    broker.publish(event(3))
    assert drain(late) == [2, 3]
    assert drain(early) == [3]
    assert drain(other) == []
    assert broker.subscriber_count == 3


async def test_a_subscription_behind_the_log_reads_resync_then_goes_on_from_its_end() -> None:
    broker = Broker(buffer=2)
    slow, keeping_up = broker.subscribe("g1"), broker.subscribe("g1")
    for sequence in (1, 2, 3):
        broker.publish(event(sequence))
        assert drain(keeping_up) == [sequence]
    assert drain(slow) == [Signal.RESYNC]  # 1 was dropped: the store has it
    broker.publish(event(4))
    assert drain(slow) == [4]
    assert drain(keeping_up) == [4]


async def test_close_delivers_what_was_published_then_close_even_to_later_streams() -> None:
    broker = Broker(buffer=8)
    subscription = broker.subscribe("g1")
    broker.publish(event(1))
    waiting = broker.subscribe("g1").wait()
    broker.close_all()
    assert waiting.done() and waiting.result() is True
    assert drain(subscription) == [1, Signal.CLOSE]
    assert drain(broker.subscribe("g2")) == [Signal.CLOSE]


async def test_a_publish_wakes_every_waiting_stream_of_its_generation_only() -> None:
    broker = Broker()
    mine = [broker.subscribe("g1") for _ in range(3)]
    theirs = broker.subscribe("g2")
    waits = [s.wait() for s in mine]
    their_wait = theirs.wait()
    broker.publish(event(1))
    assert [w.done() and w.result() for w in waits] == [True, True, True]
    assert not their_wait.done()
    assert [drain(s) for s in mine] == [[1], [1], [1]]


async def test_waits_that_time_out_or_are_cancelled_leave_nothing_behind() -> None:
    broker = Broker()
    subscription = broker.subscribe("g1")
    for _ in range(100):  # a stream's heartbeats: one wait per interval, each forgotten
        waiter = subscription.wait()
        waiter.set_result(False)
        subscription.forget(waiter)
    cancelled = subscription.wait()
    cancelled.cancel()
    subscription.forget(cancelled)
    assert subscription._log.waiters == {}
    waiter = subscription.wait()
    broker.publish(event(1))  # a wait already woken is no longer held either
    assert waiter.result() is True and subscription._log.waiters == {}


async def test_unsubscribing_twice_counts_once_and_the_last_one_drops_the_log() -> None:
    broker = Broker()
    first, second = broker.subscribe("g1"), broker.subscribe("g1")
    broker.unsubscribe(first)
    broker.unsubscribe(first)
    assert broker.subscriber_count == 1 and broker.watching("g1")
    broker.unsubscribe(second)
    assert broker.subscriber_count == 0 and not broker.watching("g1")
    await asyncio.wait_for(broker.wait_empty(), 1)
    broker.publish(event(1))  # nobody watches: nothing is kept
    assert broker.watched() == []
