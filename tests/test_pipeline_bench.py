"""bench/pipeline_bench.py: its percentile and its random profiles (not the timing)."""

from __future__ import annotations

import random

from bench.pipeline_bench import percentile, random_profile
from programgen.pipeline.domain import InjuryArea
from programgen.pipeline.validation import validate_profile


def test_p99_is_the_nearest_rank_value() -> None:
    # ceil(0.99 n)-th smallest: 99 of 1..100, not the maximum.
    assert percentile([float(i) for i in range(1, 101)], 0.99) == 99.0
    assert percentile([float(i) for i in range(1, 1001)], 0.99) == 990.0
    assert percentile([float(i) for i in range(1, 701)], 0.99) == 693.0
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([1.0, 2.0], 0.5) == 1.0


def test_random_profiles_span_the_whole_input_space() -> None:
    rng = random.Random(7)
    profiles = [validate_profile(random_profile(rng)) for _ in range(600)]
    assert max(len(p.injuries) for p in profiles) == len(InjuryArea)
    assert max(p.training_age_years or 0 for p in profiles) > 30
    assert min(p.sleep_hours for p in profiles) < 4
    assert max(p.sleep_hours for p in profiles) > 12
    assert min(p.age for p in profiles) < 18 and max(p.age for p in profiles) > 90
    assert {p.days_per_week for p in profiles} == {2, 3, 4, 5, 6}
    assert min(p.session_minutes for p in profiles) < 35
    assert max(p.session_minutes for p in profiles) > 115
    assert max(len(p.lifts) for p in profiles) == 6
