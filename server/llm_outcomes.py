"""What became of a generation's model refinement, as a metric label: refined, or why the
engine's own program stood (the reason's first words, as the refinement stage writes
them: docs/architecture.md, "Metrics")."""

from __future__ import annotations

from programgen.pipeline.domain import Program

OUTCOMES = (
    "refined",
    "timeout",
    "rate_limited",
    "server_error",
    "schema_invalid",
    "rule_violating",
    "other",
)

_BY_PREFIX = (
    ("timeout", "timeout"),
    ("deadline", "timeout"),
    ("rate limited", "rate_limited"),
    ("server error", "server_error"),
    ("malformed output", "schema_invalid"),
    ("schema mismatch", "schema_invalid"),
    ("refused", "schema_invalid"),
    ("rule violation", "rule_violating"),
)


def outcome(program: Program) -> str:
    if program.provenance.llm_refined:
        return "refined"
    reason = program.provenance.llm_fallback_reason.lower()
    return next((label for prefix, label in _BY_PREFIX if reason.startswith(prefix)), "other")
