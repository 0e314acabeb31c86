"""Engine benchmark: build programs for random valid profiles and report the latency.

    .venv/bin/python bench/pipeline_bench.py [--count N] [--seed S]

Profiles come from a seeded `random.Random`, so runs are comparable. Each timing covers
`build_program` (stages 1-6 plus validation, no LLM) for one profile.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    Lift,
    Muscle,
    Sex,
    Unit,
)
from pipeline.engine import build_program
from pipeline.validation import validate_profile

_LIFT_RATIO = {  # typical e1RM / bodyweight, so random lifts look like real ones
    Lift.SQUAT: 1.4,
    Lift.BENCH_PRESS: 1.0,
    Lift.DEADLIFT: 1.7,
    Lift.OVERHEAD_PRESS: 0.65,
    Lift.BARBELL_ROW: 0.9,
    Lift.PULL_UP: 0.2,
}


def random_profile(rng: random.Random) -> dict[str, Any]:
    """One profile dict inside every input rule (see pipeline.validation)."""
    unit = rng.choice(list(Unit))
    bodyweight_kg = rng.uniform(45, 140)
    factor = 1 / 0.45359237 if unit is Unit.LB else 1.0
    age = rng.randint(13, 90)
    equipment = rng.sample(list(Equipment), rng.randint(1, len(Equipment)))
    lifts = []
    for lift in rng.sample(list(Lift), rng.randint(0, len(Lift))):
        reps = rng.randint(1, 12)
        weight = bodyweight_kg * _LIFT_RATIO[lift] * rng.uniform(0.4, 1.6) * factor
        if lift is Lift.PULL_UP and rng.random() < 0.5:
            weight = 0.0
        lifts.append({"lift": lift.value, "weight": round(weight, 1), "reps": reps})
    return {
        "goal": rng.choice(list(Goal)).value,
        "experience": rng.choice(list(Experience)).value,
        "training_age_years": (
            None if rng.random() < 0.3 else round(rng.uniform(0, min(20, age - 12)), 1)
        ),
        "days_per_week": rng.randint(2, 6),
        "session_minutes": rng.randint(30, 120),
        "equipment": [e.value for e in equipment],
        "injuries": [a.value for a in rng.sample(list(InjuryArea), rng.randint(0, 3))],
        "injury_note": "",
        "age": age,
        "sex": rng.choice([None, Sex.FEMALE.value, Sex.MALE.value]),
        "bodyweight": round(bodyweight_kg * factor, 1),
        "sleep_hours": round(rng.uniform(4, 10), 1),
        "stress": rng.randint(1, 10),
        "unit": unit.value,
        "priority_muscles": [m.value for m in rng.sample(list(Muscle), rng.randint(0, 2))],
        "program_weeks": None if rng.random() < 0.5 else rng.randint(4, 8),
        "lifts": lifts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="profiles to build")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    profiles = [validate_profile(random_profile(rng)) for _ in range(args.count)]
    build_program(profiles[0])  # warm caches and imports outside the measurement

    timings_ms: list[float] = []
    started = time.perf_counter()
    for profile in profiles:
        t0 = time.perf_counter()
        build_program(profile)
        timings_ms.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started

    timings_ms.sort()
    p50 = statistics.median(timings_ms)
    p99 = timings_ms[min(len(timings_ms) - 1, int(len(timings_ms) * 0.99))]
    print(
        f"programs={len(timings_ms)} p50={p50:.2f} ms p99={p99:.2f} ms "
        f"max={timings_ms[-1]:.2f} ms throughput={len(timings_ms) / elapsed:.0f} programs/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
