"""Server memory held by watch streams whose client never reads, and what the idle limit
gives back (issue: an unread stream must not hold memory without bound or forever).

    python -m bench.unread --streams 1000

Opens the streams on a generation parked in its LLM stage (they get two events, then
heartbeats) and on a completed one (the whole history, program included, is sent at
once), reads nothing, and reports the server's VmRSS before, with them open, and after
the idle limit ended them."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from bench.fanout import HELD_LLM_ENV
from bench.load import channels, start_request
from bench.processes import Server, rss_kib, scrape
from programgen.testing import FakeOpenAI, Hold, fake_openai

IDLE_LIMIT_S = 20.0


async def _open_unread(target: str, generation_id: str, count: int) -> list[Any]:
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    chans = channels(target, max(1, count // 100))
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in chans]
    request = pb.WatchGenerationRequest(id=generation_id)
    calls = [stubs[n % len(stubs)].WatchGeneration(request) for n in range(count)]
    return [chans, calls]


async def measure(target: str, pid: int, metrics_port: int, streams: int) -> dict[str, Any]:
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    (chan,) = channels(target, 1)
    stub = pb_grpc.ProgramGenerationServiceStub(chan)
    held = (await stub.StartGeneration(start_request(), timeout=30)).generation.id
    async for response in stub.WatchGeneration(pb.WatchGenerationRequest(id=held)):
        if response.event.stage == pb.STAGE_LLM_REFINEMENT:
            break
    out: dict[str, Any] = {"streams": streams, "idle_limit_s": IDLE_LIMIT_S}
    await asyncio.sleep(1.0)
    out["rss_start_kib"] = rss_kib(pid)
    chans, calls = await _open_unread(target, held, streams)

    def gauge() -> float:
        return scrape(metrics_port).get("programgen_watch_streams_open", -1)

    seen = []
    for _ in range(50):  # until the server holds them all (streams open asynchronously)
        seen.append(gauge())
        if seen[-1] >= streams:
            break
        await asyncio.sleep(0.2)
    out["gauge_while_opening"] = seen[::5]
    await asyncio.sleep(1.0)
    out["open_gauge"] = gauge()
    out["rss_open_kib"] = rss_kib(pid)
    await asyncio.sleep(IDLE_LIMIT_S * 1.6 + 1)
    out["open_gauge_after_idle_limit"] = gauge()
    out["rss_after_idle_limit_kib"] = rss_kib(pid)
    for call in calls:
        call.cancel()
    for c in chans:
        await c.close()
    out["kib_per_unread_stream"] = (out["rss_open_kib"] - out["rss_start_kib"]) / streams
    await chan.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.unread")
    parser.add_argument("--streams", type=int, default=1000)
    args = parser.parse_args()
    hold = Hold(then=fake_openai.status(400, "bench: no model"))
    env = {
        "PROGRAMGEN_WORKERS": "1",
        "PROGRAMGEN_HEARTBEAT_S": "1",
        "PROGRAMGEN_WATCH_IDLE_LIMIT_S": str(IDLE_LIMIT_S),
        **HELD_LLM_ENV,
    }
    with FakeOpenAI(default=hold) as llm, Server("unread", **llm.env(), **env) as server:
        result = asyncio.run(measure(server.target, server.pid, server.metrics_port, args.streams))
        hold.release()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
