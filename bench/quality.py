"""Program quality report: how often the engine's programs pass each coaching rule.

    python -m bench.quality [--count 1000] [--seed S] [--worst 5]

Builds programs for random valid profiles spanning the whole input space (the same
generator as the engine benchmark, plus free-text injury notes drawn from a small list)
and runs the validator's checks on each draft program, BEFORE the engine's own final
validation would refuse it. Prints the pass rate of every rule (a program passes a rule
when that check reports nothing), the share of programs that pass every rule, and the
worst programs with their first violations. Writes bench/results/quality.md and
quality.json. Exit status 0 whatever the rates: this is a report, not a gate (the test
suite is the gate).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pipeline_bench import random_profile
from programgen.pipeline.domain import Profile, Violation
from programgen.pipeline.engine import draft_program
from programgen.pipeline.validation import validate_profile
from programgen.pipeline.validator import CHECKS, program_violations

RESULTS = Path(__file__).resolve().parent / "results"
BUILD_RULE = "builds"  # the engine raised instead of producing a program

# Free-text notes of the kind athletes write; some name no injury at all.
NOTES = (
    "",
    "",
    "",
    "golfer's elbow on the right, flares with close-grip pressing",
    "old ACL reconstruction, deep knee bends still ache",
    "lower back gets tight after heavy deadlifts",
    "rotator cuff tendinopathy, overhead work hurts",
    "wrist pain in push-ups",
    "no pain anywhere, just want to get stronger",
    "hip impingement when squatting deep",
)


@dataclass
class Outcome:
    profile: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    error: str = ""

    @property
    def rules(self) -> set[str]:
        broken = {v.rule or "unnamed" for v in self.violations}
        return broken | ({BUILD_RULE} if self.error else set())


def rule_names() -> list[str]:
    return [BUILD_RULE] + [check.__name__.removeprefix("_check_") for check in CHECKS]


def assess(raw: dict[str, Any]) -> Outcome:
    profile: Profile = validate_profile(raw)
    try:
        program = draft_program(profile)
    except Exception as exc:  # any failure to build is a `builds` failure, not a crash
        return Outcome(raw, error=f"{type(exc).__name__}: {exc}")
    return Outcome(raw, program_violations(program, profile))


def describe(raw: dict[str, Any]) -> str:
    injuries = "+".join(raw["injuries"]) or "no injuries"
    note = f', note "{raw["injury_note"]}"' if raw["injury_note"] else ""
    return (
        f"{raw['goal']}, {raw['experience']}, age {raw['age']}, {raw['days_per_week']}x"
        f"{raw['session_minutes']} min, {'/'.join(raw['equipment'])}, {injuries}{note}"
    )


def report(outcomes: list[Outcome], worst: int) -> tuple[str, dict[str, Any]]:
    n = len(outcomes)
    broken = Counter(rule for o in outcomes for rule in o.rules)
    rates = {rule: 1 - broken[rule] / n for rule in rule_names()}
    for rule in sorted(set(broken) - set(rates)):
        rates[rule] = 1 - broken[rule] / n
    all_pass = sum(1 for o in outcomes if not o.rules) / n
    lines = [
        f"Programs: {n}; passing every rule: {all_pass:.1%}",
        "",
        "| rule | pass rate | programs failing |",
        "|---|---|---|",
        *(f"| {rule} | {rate:.1%} | {broken[rule]} |" for rule, rate in rates.items()),
    ]
    ranked = sorted(outcomes, key=lambda o: -len(o.violations) - bool(o.error))
    ranked = [o for o in ranked if o.rules][:worst]
    if ranked:
        lines += ["", "Worst programs:"]
    for o in ranked:
        lines.append(f"- {describe(o.profile)}: {len(o.violations)} violation(s)")
        lines += [f"  - {v.rule}: {v.field}: {v.description}" for v in o.violations[:3]]
        if o.error:
            lines.append(f"  - {BUILD_RULE}: {o.error}")
    data = {
        "programs": n,
        "all_pass_rate": all_pass,
        "rule_pass_rates": rates,
        "worst": [
            {"profile": o.profile, "violations": [v.model_dump() for v in o.violations]}
            for o in ranked
        ],
    }
    return "\n".join(lines), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="profiles to build")
    parser.add_argument("--seed", type=int, default=20261201, help="random seed")
    parser.add_argument("--worst", type=int, default=5, help="worst programs to show")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    outcomes = []
    for _ in range(args.count):
        raw = random_profile(rng)
        raw["injury_note"] = rng.choice(NOTES)
        outcomes.append(assess(raw))
    text, data = report(outcomes, args.worst)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    command = f"python -m bench.quality --count {args.count} --seed {args.seed}"
    (RESULTS / "quality.md").write_text(f"`{command}`\n\n{text}\n")
    (RESULTS / "quality.json").write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
