"""``programgen serve`` with the engine memoised, for benchmarks of the service around it:

    python -m programgen.testing.memo_serve      # same settings as ``programgen serve``

Each distinct profile runs the real engine once (stages, validation); a repeat returns
that same program at once, after reporting the same stages the engine reports, so a
generation writes exactly the rows and events it writes with the engine, and every
program it returns is the engine's valid program for its profile. What is left to
measure is the service's own cost per generation (claims, events, commits, the RPCs).

There is no setting that turns this on: it is a different entry point, which the
installed ``programgen`` command never runs (docs/testing.md).
"""

from __future__ import annotations

from programgen.pipeline.domain import Profile, Program, Stage
from programgen.pipeline.engine import GenerateOptions, Offload, ProgressCallback, build_program
from programgen.pipeline.stages import ENGINE_STAGES, SPEC, start_percent

_PROGRAMS: dict[str, Program] = {}


async def memoised(
    profile: Profile,
    options: GenerateOptions,
    progress: ProgressCallback | None = None,
    offload: Offload | None = None,
) -> Program:
    """The engine's program for ``profile``, computed once per distinct profile, with the
    engine's progress reports (the model refinement stage is never run)."""
    specs = [spec for spec, _ in ENGINE_STAGES] + [SPEC[Stage.VALIDATION]]
    for spec in specs:
        if progress is not None:
            await progress(spec.stage, start_percent(spec.stage), spec.message)
    key = profile.model_dump_json()
    program = _PROGRAMS.get(key)
    if program is None:
        program = _PROGRAMS[key] = build_program(profile)
    return program


def main() -> int:
    from programgen.server.commands import run_serve

    return run_serve({}, generate_fn=memoised)


if __name__ == "__main__":
    raise SystemExit(main())
