"""What the model must answer: a strict JSON schema derived from :class:`LlmRefinement`,
and the parse of an answer against it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from programgen.pipeline.refine.failures import Failure

SCHEMA_NAME = "program_refinement"
# Limits the prompt states and the applier enforces. Editorial bounds, not science: ten
# working sets of one exercise in one session is beyond what the engine itself prescribes,
# and notes stay short enough to read on a phone.
MAX_SETS_PER_EXERCISE = 10
MAX_NOTE_CHARS = 300
MAX_SUMMARY_NOTE_CHARS = 800


class _Strict(BaseModel):
    # Strict structured output wants every property required and no extra ones: no field
    # here has a default, and extra="forbid" emits additionalProperties: false.
    model_config = ConfigDict(extra="forbid", frozen=True)


class LlmSubstitution(_Strict):
    """Replace the exercise in slot (day, position) with one of its offered substitutes,
    in every week of the program."""

    day: int
    position: int  # 1-based index of the exercise within the day, as "pos" in "slots"
    current_exercise_id: str  # the id the draft has in that slot (a consistency check)
    new_exercise_id: str  # must be one of substitutes[current_exercise_id]


class LlmSetChange(_Strict):
    """Set a new number of sets for the exercise at (week, day, position)."""

    week: int
    day: int
    position: int
    exercise_id: str  # the draft's id at that position, or the substitute put there
    sets: int


class LlmExerciseNote(_Strict):
    """A coaching note for every occurrence of an exercise in the refined program."""

    exercise_id: str
    note: str


class LlmRefinement(_Strict):
    substitutions: list[LlmSubstitution]
    set_changes: list[LlmSetChange]
    exercise_notes: list[LlmExerciseNote]
    summary_note: str  # a short note on the whole program; may be empty


def response_schema() -> dict[str, Any]:
    """The strict JSON schema sent as ``response_format`` (derived from LlmRefinement)."""
    schema = LlmRefinement.model_json_schema()
    _make_strict(schema)
    return schema


def _make_strict(node: Any) -> None:
    # Titles and descriptions are noise to the model; "default" is not allowed in strict
    # mode (we have none, but keep the guarantee).
    if isinstance(node, dict):
        for k in ("title", "default"):
            node.pop(k, None)
        if node.get("type") == "object":
            node["additionalProperties"] = False
            node["required"] = list(node.get("properties", {}))
        for v in node.values():
            _make_strict(v)
    elif isinstance(node, list):
        for v in node:
            _make_strict(v)


def parse_answer(text: str) -> LlmRefinement:
    """The model's content as a refinement; a retryable :class:`Failure` when it is not
    JSON or not of the schema's shape (with strict output, a sampling or transport glitch)."""
    try:
        return LlmRefinement.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        if any(e["type"] == "json_invalid" for e in errors):
            raise Failure(
                "malformed output", f"invalid JSON: {errors[0]['msg']}", retryable=True
            ) from None
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in errors[:3]
        )
        raise Failure("schema mismatch", details, retryable=True) from None
