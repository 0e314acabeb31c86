"""A real server on a loopback port, driven through the real client library."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from programgen.client import (
    AsyncClient,
    Event,
    GenerationCancelled,
    GenerationFailed,
    GenerationStatus,
    Stage,
)
from programgen.client.errors import FailedPrecondition, InvalidArgument, NotFound
from programgen.pipeline.domain import ProgramInvalid, Violation
from programgen.v1 import generation_service_pb2 as pb
from tests.harness import Gate, example, served


def statuses(events: list[Event]) -> list[str]:
    return [e.status.name for e in events]


async def collect(client: AsyncClient, generation_id: str, after: int = 0) -> list[Event]:
    return [e async for e in client.watch(generation_id, after_sequence=after)]


async def test_start_replies_while_the_pipeline_is_still_blocked(tmp_path: Path) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (_server, client):
        generation = await client.start(example())
        assert generation.generation is not None
        assert generation.generation.status is GenerationStatus.PENDING
        assert generation.id
        # The pipeline has the job but has not been let through: the reply came first.
        await asyncio.wait_for(gate.entered.get(), 10)
        current = await client.get(generation.id)
        assert current.status is GenerationStatus.PROCESSING
        assert current.program is None
        gate.release()
        program = await client.wait(generation.id)
        assert program.weeks and program.provenance.engine_version


async def test_watch_sees_every_transition_in_order_with_dense_sequences(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        generation = await client.start(example())
        events = await collect(client, generation.id)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    names = statuses(events)
    assert names[0] == "PENDING" and names[1] == "PROCESSING" and names[-1] == "COMPLETED"
    assert set(names[1:-1]) == {"PROCESSING"}
    stages = [e.stage for e in events if e.stage]
    assert stages[:3] == [Stage.PROFILE_ANALYSIS, Stage.VOLUME_LANDMARKS, Stage.WEAK_POINTS]
    assert stages[-1] is Stage.VALIDATION
    percents = [e.percent for e in events[1:]]
    assert percents == sorted(percents) and percents[-1] == 100
    assert events[-1].program is not None and len(events[-1].program.weeks) >= 4
    assert not any(e.program is not None for e in events[:-1])


async def test_resuming_at_every_cursor_yields_exactly_the_rest(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        generation = await client.start(example())
        full = await collect(client, generation.id)
        for cursor in range(len(full) + 1):
            rest = await collect(client, generation.id, after=cursor)
            if cursor == len(full):
                # Past the end of a finished generation the stream ends at once.
                assert rest == []
            else:
                assert [e.sequence for e in rest] == [e.sequence for e in full[cursor:]]
                assert rest[-1].program == full[-1].program


async def test_late_attach_to_a_finished_generation_gets_history_at_once(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        generation = await client.start(example())
        program = await client.wait(generation.id)
        late = await collect(client, generation.id)
        assert statuses(late)[-1] == "COMPLETED"
        assert late[-1].program == program
        fetched = await client.get(generation.id)
        assert fetched.status is GenerationStatus.COMPLETED
        assert fetched.program == program
        assert fetched.last_sequence == late[-1].sequence


async def test_cancel_while_processing_stops_it_and_is_idempotent(tmp_path: Path) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        cancelled = await client.cancel(generation.id)
        assert cancelled.status is GenerationStatus.CANCELLED
        again = await client.cancel(generation.id)
        assert again.status is GenerationStatus.CANCELLED
        assert again.last_sequence == cancelled.last_sequence
        gate.release()
        with pytest.raises(GenerationCancelled):
            await client.wait(generation.id)
        assert server.pool.running == 0
        final = await client.get(generation.id)
        assert final.status is GenerationStatus.CANCELLED
        assert final.program is None


async def test_cancel_of_a_completed_generation_is_refused(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        generation = await client.start(example())
        await client.wait(generation.id)
        with pytest.raises(FailedPrecondition) as error:
            await client.cancel(generation.id)
        assert error.value.reason == "GENERATION_FINISHED"


async def test_retry_after_failure_completes(tmp_path: Path) -> None:
    gate = Gate()
    gate.fail_with = ProgramInvalid([Violation(field="weeks", description="broken on purpose")])
    gate.release()
    async with served(tmp_path, generate_fn=gate) as (_server, client):
        generation = await client.start(example())
        with pytest.raises(GenerationFailed) as failure:
            await client.wait(generation.id)
        assert failure.value.reason == "PROGRAM_INVALID"
        assert "broken on purpose" in failure.value.message
        failed = await client.get(generation.id)
        assert failed.error is not None and failed.error.reason == "PROGRAM_INVALID"

        gate.fail_with = None
        retried = await client.retry(generation.id)
        assert retried.status is GenerationStatus.PENDING
        assert retried.error is None
        program = await client.wait(generation.id)
        assert program.weeks
        history = await collect(client, generation.id)
        names = statuses(history)
        assert names.count("FAILED") == 1 and names[-1] == "COMPLETED"
        assert [e.sequence for e in history] == list(range(1, len(history) + 1))
        done = await client.get(generation.id)
        assert done.attempt == 2
        with pytest.raises(FailedPrecondition) as refused:
            await client.retry(generation.id)
        assert refused.value.reason == "GENERATION_NOT_RETRYABLE"


async def test_same_request_id_returns_the_same_generation_and_runs_one_job(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (_server, client):
        first, second = await asyncio.gather(
            client.start(example(), request_id="order-42"),
            client.start(example(), request_id="order-42"),
        )
        assert first.id == second.id
        third = await client.start(example(), request_id="order-43")
        assert third.id != first.id
        gate.release()
        await client.wait(first.id)
        await client.wait(third.id)
        assert gate.entered.qsize() == 2  # one job per request id
        page, _ = await client.list_page()
        assert sorted(g.id for g in page) == sorted({first.id, third.id})


async def test_paging_through_250_generations_has_no_duplicate_or_gap(tmp_path: Path) -> None:
    gate = Gate()  # never released: the rows stay pending, paging does not care
    async with served(tmp_path, generate_fn=gate, per_caller_limit=1000) as (_server, client):
        started = [(await client.start(example())).id for _ in range(250)]
        seen: list[str] = []
        token, pages = "", 0
        while True:
            page, token = await client.list_page(page_size=40, page_token=token)
            seen += [g.id for g in page]
            pages += 1
            assert all(g.profile is None for g in page)
            if not token:
                break
        assert seen == list(reversed(started))  # newest first, each exactly once
        assert pages == 7
        default_page, _ = await client.list_page()
        assert len(default_page) == 50
        capped, _ = await client.list_page(page_size=10_000)
        assert len(capped) == 250  # capped at 500, all fit
        pending, _ = await client.list_page(status=GenerationStatus.COMPLETED)
        assert pending == []
        with pytest.raises(InvalidArgument) as negative:
            await client.list_page(page_size=-1)
        assert [v.field for v in negative.value.violations] == ["page_size"]
        with pytest.raises(InvalidArgument) as bad_token:
            await client.list_page(page_token="not-a-token")
        assert [v.field for v in bad_token.value.violations] == ["page_token"]
        _, token = await client.list_page(page_size=10)
        with pytest.raises(InvalidArgument):
            await client.list_page(page_token=token, status=GenerationStatus.PENDING)


async def test_invalid_profile_lists_every_violation_and_stores_nothing(tmp_path: Path) -> None:
    profile = example()
    profile.update(daysPerWeek=9, sessionMinutes=10, stress=0)
    profile["lifts"][0]["reps"] = 40
    del profile["goal"]
    async with served(tmp_path) as (_server, client):
        with pytest.raises(InvalidArgument) as error:
            await client.start(profile, request_id="x" * 129)
        fields = {v.field for v in error.value.violations}
        assert fields >= {
            "request_id",
            "profile.goal",
            "profile.days_per_week",
            "profile.session_minutes",
            "profile.stress",
            "profile.lifts[0].reps",
        }
        assert error.value.reason == "INVALID_ARGUMENT"
        assert all(v.description for v in error.value.violations)
        with pytest.raises(InvalidArgument) as missing:
            await client._call(client._stub.StartGeneration, pb.StartGenerationRequest(), 5.0, ())
        assert [v.field for v in missing.value.violations] == ["profile"]
        for bad_id in ("", "nope", "123"):
            with pytest.raises(InvalidArgument):
                await client.get(bad_id)
        with pytest.raises(NotFound):
            await client.get("00000000-0000-4000-8000-000000000000")
        page, _ = await client.list_page()
        assert page == []


async def test_watch_rejects_a_negative_cursor(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        generation = await client.start(example())
        with pytest.raises(InvalidArgument) as error:
            await collect(client, generation.id, after=-1)
        assert [v.field for v in error.value.violations] == ["after_sequence"]


async def test_generation_timeout_fails_with_reason_timeout(tmp_path: Path) -> None:
    gate = Gate()  # never released
    async with served(tmp_path, generate_fn=gate, generation_timeout_s=0.2) as (_server, client):
        generation = await client.start(example())
        with pytest.raises(GenerationFailed) as failure:
            await client.wait(generation.id)
        assert failure.value.reason == "TIMEOUT"


async def test_a_watcher_whose_buffer_overflows_rereads_the_store(tmp_path: Path) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate, watch_buffer=2) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        stream = client.watch(generation.id)
        seen = [await anext(stream), await anext(stream)]  # pending, processing
        record = await server.repository.get(generation.id)
        assert record is not None
        # A burst the watcher cannot keep up with (no await in between: it never runs).
        old = await server.repository.events_after(record, 0)
        for _ in range(5):
            server.broker.publish(old[0])
        gate.release()
        seen += [event async for event in stream]
        resyncs = server.metrics.registry.get_sample_value("programgen_watch_resyncs_total")
        assert resyncs is not None and resyncs >= 1
    assert [e.sequence for e in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].status is GenerationStatus.COMPLETED


async def test_a_disconnected_watcher_leaves_no_subscription_behind(tmp_path: Path) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (server, client):
        generation = await client.start(example())
        stream = client.watch(generation.id)
        await anext(stream)
        assert server.broker.subscriber_count == 1
        await stream.aclose()
        await asyncio.wait_for(server.broker.wait_empty(), 10)
        assert server.broker.subscriber_count == 0
        gate.release()
        await client.wait(generation.id)
        assert server.broker.subscriber_count == 0


async def test_transient_failures_are_retried_in_the_same_claim(tmp_path: Path) -> None:
    gate = Gate()
    gate.release()
    gate.transient_failures = 2
    async with served(tmp_path, generate_fn=gate, transient_retries=3, retry_backoff_s=0) as (
        _server,
        client,
    ):
        generation = await client.start(example())
        program = await client.wait(generation.id)
        assert program.weeks
        assert (await client.get(generation.id)).attempt == 1
        assert gate.entered.qsize() == 3

        gate.transient_failures = 10
        doomed = await client.start(example())
        with pytest.raises(GenerationFailed) as failure:
            await client.wait(doomed.id)
        assert failure.value.reason == "TRANSIENT_RETRIES_EXHAUSTED"
        assert gate.entered.qsize() == 3 + 4  # the first try and three retries
