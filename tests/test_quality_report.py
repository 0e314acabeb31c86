"""bench/quality.py: it counts each broken rule once per program and names the worst."""

from __future__ import annotations

import random

from bench.pipeline_bench import random_profile
from bench.quality import BUILD_RULE, Outcome, assess, report, rule_names
from programgen.pipeline.domain import Violation


def _profile() -> dict[str, object]:
    return random_profile(random.Random(3))


def test_pass_rates_count_programs_not_violations() -> None:
    twice = [
        Violation(field="weeks[0]", description="a", rule="volume"),
        Violation(field="weeks[1]", description="b", rule="volume"),
    ]
    outcomes = [
        Outcome(_profile(), twice),
        Outcome(_profile(), [Violation(field="x", description="c", rule="intensity")]),
        Outcome(_profile(), error="ProgramInvalid: nope"),
        Outcome(_profile()),
    ]
    text, data = report(outcomes, worst=2)
    rates = data["rule_pass_rates"]
    assert rates["volume"] == 0.75 and rates["intensity"] == 0.75
    assert rates[BUILD_RULE] == 0.75 and rates["structure"] == 1.0
    assert data["all_pass_rate"] == 0.25
    assert set(rule_names()) <= set(rates)
    # The program with the most violations is the first worst case.
    assert data["worst"][0]["violations"][0]["description"] == "a"
    assert "volume: weeks[0]: a" in text


def test_a_real_profile_is_assessed_by_every_check() -> None:
    outcome = assess(_profile())
    assert outcome.error == ""
    assert all(v.rule in rule_names() for v in outcome.violations)
