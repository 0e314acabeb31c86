"""``programgen serve`` with StartGeneration cut down to a part of its work, to measure
what each part costs beside the no-op RPC (``python -m bench --only start-parts``):

    BENCH_START_PART=checks python -m programgen.testing.start_parts

- ``reply``: the reply of one real start, sent again for every call: the transport, the
  guard interceptor and the reply's bytes, and no work;
- ``checks``: the caller's identity, the request's validation and the profile's JSON,
  then that reply;
- ``handoff``: the checks, then one hand-off to a thread and back, as a call that waits
  alone for a group commit would (without SQLite);
- ``full``: the real StartGeneration.

The engine never runs (every generation stays pending or processing), so no pool work
shares the cores with the calls. There is no setting that turns this on: it is a
separate entry point, which the installed ``programgen`` command never runs
(docs/testing.md).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from programgen.pipeline.domain import Profile, Program
from programgen.pipeline.engine import GenerateOptions, Offload, ProgressCallback
from programgen.server import requests
from programgen.server.service import GenerationService
from programgen.v1 import generation_service_pb2 as pb

PARTS = ("reply", "checks", "handoff", "full")


async def never(
    profile: Profile,
    options: GenerateOptions,
    progress: ProgressCallback | None = None,
    offload: Offload | None = None,
) -> Program:
    """A generation that waits until shutdown cancels it."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def _cut(part: str) -> None:
    real = GenerationService.StartGeneration
    replies: list[pb.StartGenerationResponse] = []

    async def start(
        self: GenerationService, request: pb.StartGenerationRequest, context: Any
    ) -> pb.StartGenerationResponse:
        if not replies:  # the first call is a real start: its reply is sent from then on
            replies.append(await real(self, request, context))
            return replies[0]
        if part != "reply":
            await self._caller(context)
            profile, violations = requests.start_violations(request)
            requests.require(violations)
            assert profile is not None
            profile.model_dump_json()
        if part == "handoff":
            await asyncio.get_running_loop().run_in_executor(None, int)
        return replies[0]

    GenerationService.StartGeneration = start  # type: ignore[method-assign]


def main() -> int:
    from programgen.server.commands import run_serve

    part = os.environ.get("BENCH_START_PART", "full")
    if part not in PARTS:
        raise SystemExit(f"BENCH_START_PART must be one of {', '.join(PARTS)}")
    if part != "full":
        _cut(part)
    return run_serve({}, generate_fn=never)


if __name__ == "__main__":
    raise SystemExit(main())
