"""The client side of the fan-out benchmark (bench/fanout.py): WatchGeneration streams
opened in bursts over a few connections, and when each saw the transition it waits for.

The same class reads the real server and the floor (bench/floor.py serves the same
method path), so both sides are opened and read by the same code."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time


class Watchers:
    """Streams of one server, what they saw, and the generations they watch."""

    def __init__(self, target: str, connections: int) -> None:
        from bench.load import channels
        from programgen.v1 import generation_service_pb2_grpc as pb_grpc

        self.chans = channels(target, connections)
        self.stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in self.chans]
        self.errors: collections.Counter[str] = collections.Counter()
        self.opened = 0
        self.target_open = 0
        self.all_open = asyncio.Event()
        self.arrivals: dict[str, list[float]] = collections.defaultdict(list)
        self.template = b""  # the shared transition as sent, for the floor to send

    async def start(self, count: int) -> list[str]:
        """``count`` generations, all left pending (see ``park``)."""
        from bench.load import start_request

        stub, request = self.stubs[0], start_request()
        started = await asyncio.gather(
            *(stub.StartGeneration(request, timeout=30) for _ in range(count))
        )
        return [r.generation.id for r in started]

    async def park(self) -> str:
        """Park the only worker in the LLM stage, so every later generation stays pending."""
        from programgen.v1 import generation_service_pb2 as pb

        (held,) = await self.start(1)
        async for response in self.stubs[0].WatchGeneration(pb.WatchGenerationRequest(id=held)):
            if response.event.stage == pb.STAGE_LLM_REFINEMENT:
                break
        return held

    async def watcher(self, n: int, generation_id: str, group: str) -> None:
        import grpc

        from programgen.v1 import generation_service_pb2 as pb

        stub = self.stubs[n % len(self.stubs)]
        call = stub.WatchGeneration(pb.WatchGenerationRequest(id=generation_id))
        first = True
        try:
            async for response in call:
                if response.WhichOneof("kind") != "event":
                    continue
                if first:
                    first = False
                    self.opened += 1
                    if self.opened == self.target_open:
                        self.all_open.set()
                if response.event.status == pb.GENERATION_STATUS_CANCELLED:
                    if not self.template:
                        self.template = response.SerializeToString()
                    committed = response.event.create_time.ToNanoseconds() / 1e9
                    self.arrivals[group].append(time.time() - committed)
        except grpc.RpcError as error:
            self.errors[error.code().name] += 1
        except asyncio.CancelledError:
            call.cancel()
            raise

    async def warm_up(self, generation_id: str) -> None:
        """Open and close 200 streams (code paths, allocator pools) before measuring."""
        self.opened, self.target_open = 0, 200
        self.all_open.clear()
        warm = [asyncio.create_task(self.watcher(n, generation_id, "warm")) for n in range(200)]
        await asyncio.wait_for(self.all_open.wait(), 60)
        for task in warm:
            task.cancel()
        await asyncio.gather(*warm, return_exceptions=True)
        self.errors.clear()

    async def storm(
        self, plan: list[tuple[str, str]], bursts: int
    ) -> tuple[list[asyncio.Task[None]], float]:
        """The reconnect storm: one stream per (generation, group) of ``plan``, in
        ``bursts`` waves each opening its share at once; the watcher tasks and the
        seconds until every stream had its first event."""
        self.opened = 0
        self.all_open.clear()
        self.target_open = len(plan)
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        began = loop.time()
        per_burst = -(-len(plan) // bursts)
        for b in range(bursts):
            for n in range(b * per_burst, min(len(plan), (b + 1) * per_burst)):
                tasks.append(asyncio.create_task(self.watcher(n, *plan[n])))
            await asyncio.sleep(0.2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_open.wait(), 120)
        return tasks, loop.time() - began

    async def close(self) -> None:
        for c in self.chans:
            await c.close()
