"""Properties over the whole input space: every program is valid and deterministic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from pipeline.domain import Profile
from pipeline.engine import build_program
from pipeline.validation import check_profile
from pipeline.validator import program_violations
from pipeline.volume import MAX_FACTOR, REFERENCE
from tests.pipeline_support import make_profile, valid_profiles

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid_profiles())
def test_every_valid_profile_gets_a_program_that_passes_the_validator(profile: Profile) -> None:
    assert check_profile(profile) == []
    program = build_program(profile)  # validates internally; re-check explicitly too
    assert program_violations(program, profile) == []
    assert len(program.weeks) == program.periodization.total_weeks
    for lm in program.landmarks:
        assert lm.mrv <= MAX_FACTOR * REFERENCE[lm.muscle].mrv


@SETTINGS
@given(valid_profiles())
def test_same_profile_gives_a_byte_identical_program(profile: Profile) -> None:
    first = build_program(profile).model_dump_json()
    again = build_program(Profile.model_validate_json(profile.model_dump_json()))
    assert again.model_dump_json() == first


_SNIPPET = """
import hashlib, sys
from pipeline.domain import Profile
from pipeline.engine import build_program
profile = Profile.model_validate_json(sys.stdin.read())
print(hashlib.sha256(build_program(profile).model_dump_json().encode()).hexdigest())
"""


def test_programs_do_not_depend_on_the_hash_seed() -> None:
    # The server builds programs in worker processes: str hashing (and so set order)
    # differs between them unless nothing in the output depends on it.
    profile = make_profile(
        injuries=["knee", "shoulder"], priority_muscles=["biceps", "glutes"], days_per_week=5
    )
    expected = hashlib.sha256(build_program(profile).model_dump_json().encode()).hexdigest()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", _SNIPPET],
            input=profile.model_dump_json(),
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        assert out.stdout.strip() == expected
