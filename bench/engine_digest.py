"""One SHA-256 over the engine's programs for the bench's random profiles: proof that a
change (a speed-up, say) leaves every program byte-identical.

    .venv/bin/python -m bench.engine_digest [--count N] [--seed S] [--per-profile FILE]

Profiles are those of bench.pipeline_bench (same seed, same order). Each program from
`build_program` is serialised with `model_dump_json()`; the digest hashes them in order,
each followed by a newline. Run it before and after a change: equal digests mean equal
programs. `--per-profile FILE` also writes one line per profile (index, SHA-256), so
two files can be diffed to find the first profile whose program changed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline_bench import random_profile
from programgen.pipeline.engine import build_program
from programgen.pipeline.validation import validate_profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="profiles to build")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument("--per-profile", type=Path, help="write index and digest per line")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    profiles = [validate_profile(random_profile(rng)) for _ in range(args.count)]
    total = hashlib.sha256()
    lines = []
    for i, profile in enumerate(profiles):
        data = build_program(profile).model_dump_json().encode() + b"\n"
        total.update(data)
        lines.append(f"{i} {hashlib.sha256(data).hexdigest()}\n")
    if args.per_profile is not None:
        args.per_profile.write_text("".join(lines))
    print(f"programs={len(profiles)} seed={args.seed} sha256={total.hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
