"""Stage 7, optional: an OpenAI-compatible model refines the engine's draft.

The model sees a compact draft (per week/day/exercise: id, sets, reps, RPE, and the
exercise slots every week repeats), the catalog substitutes allowed for every prescribed
exercise and the per-muscle MEV/MRV, and answers through structured output (a strict JSON
schema derived from :class:`LlmRefinement`) with substitutions, set changes and coaching
notes. A substitution swaps a slot (day, position) in EVERY week, so the athlete keeps
one exercise per slot through the block and can track its progression; a swap onto an
exercise backed by a known lift gets its load from the engine's own load rule. Model
notes are appended to the engine's notes, never replace them. The answer is applied only
if every substitution uses an offered candidate and the result passes the program
validator; otherwise the engine's program stands and ``provenance.llm_fallback_reason``
says why.

:func:`refine` never raises for LLM faults (only ``asyncio.CancelledError`` propagates) and
the API key never appears in a log record, an exception it lets out, or the fallback reason.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ConfigDict, ValidationError

from programgen.pipeline import accounting, autoregulation, catalog, validator, warmups
from programgen.pipeline.domain import (
    Experience,
    Muscle,
    PrescribedExercise,
    Profile,
    Program,
    ProgramInvalid,
    Unit,
)
from programgen.pipeline.engine import LlmSettings

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
N = TypeVar("N", int, float)
Clock = Callable[[], float]

# A server asking us to come back later than this is not waited for: we fall back at once
# (waiting minutes inside one generation helps nobody; the engine's program is good).
RETRY_AFTER_CAP_S = 30.0
MAX_SETS_PER_EXERCISE = 10
MAX_NOTE_CHARS = 300
MAX_SUMMARY_NOTE_CHARS = 800
MAX_REASON_CHARS = 300
SCHEMA_NAME = "program_refinement"

# Status codes worth another try (the same set the openai SDK retries by default).
_TRANSIENT_STATUS = frozenset({408, 409, 429})


# --------------------------------------------------------------------------- settings


def _positive(environ: Mapping[str, str], name: str, default: N, parse: Callable[[str], N]) -> N:
    """``name`` parsed as a positive number, or ``default`` when unset; a malformed value
    is a configuration error (raised at start), not something to guess around."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={raw!r}: must be greater than 0")
    return value


def llm_settings_from_env(environ: Mapping[str, str]) -> LlmSettings | None:
    """LLM settings from the environment, or None (engine only) when OPENAI_API_KEY is unset
    or blank. Reads OPENAI_API_KEY, OPENAI_BASE_URL, PROGRAMGEN_LLM_MODEL,
    PROGRAMGEN_LLM_TIMEOUT_S and PROGRAMGEN_LLM_MAX_ATTEMPTS; raises ValueError naming the
    variable when a number is malformed."""
    key = environ.get("OPENAI_API_KEY", "").strip()
    if not key:
        return None
    defaults = LlmSettings(api_key=key)
    return LlmSettings(
        api_key=key,
        model=environ.get("PROGRAMGEN_LLM_MODEL", "").strip() or defaults.model,
        base_url=environ.get("OPENAI_BASE_URL", "").strip() or None,
        timeout_s=_positive(environ, "PROGRAMGEN_LLM_TIMEOUT_S", defaults.timeout_s, float),
        max_attempts=_positive(environ, "PROGRAMGEN_LLM_MAX_ATTEMPTS", defaults.max_attempts, int),
        backoff_base_s=defaults.backoff_base_s,
        backoff_max_s=defaults.backoff_max_s,
    )


# --------------------------------------------------------------------------- response schema


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

    def strip(node: Any) -> None:
        # Titles and descriptions are noise to the model; "default" is not allowed in
        # strict mode (we have none, but keep the guarantee).
        if isinstance(node, dict):
            for k in ("title", "default"):
                node.pop(k, None)
            if node.get("type") == "object":
                node["additionalProperties"] = False
                node["required"] = list(node.get("properties", {}))
            for v in node.values():
                strip(v)
        elif isinstance(node, list):
            for v in node:
                strip(v)

    strip(schema)
    return schema


# --------------------------------------------------------------------------- request


_SYSTEM_PROMPT = f"""\
You are an experienced strength coach reviewing a training program drafted by a rules
engine. The user message is JSON: the athlete, the per-muscle weekly set landmarks
(MEV = minimum effective volume, MRV = maximum recoverable volume), the draft program
(weeks -> days -> exercises; "pos" is the 1-based position in the day), "slots" (the
exercises of each training day, the layout every week repeats; the deload week may skip
some), "substitutes" (for each exercise id, the ONLY catalog ids it may be replaced with)
and "exercises" (name, primary muscle and compound or not, for every id mentioned). Every
working set counts as one weekly hard set for its exercise's primary muscle.

Improve the draft for this athlete while keeping every rule:
- Substitute only with an id listed in substitutes[current id]; give day and pos exactly
  as in "slots". A substitution replaces that slot's exercise in EVERY week, so the
  athlete can track it across the block. Never invent ids. Never put the same exercise
  twice in one day.
- Change sets sparingly (1 to {MAX_SETS_PER_EXERCISE} per exercise), naming week, day and
  pos as in that week of the draft. The weekly hard sets of every muscle must stay at or
  below its MRV, must not fall from one accumulation week to the next, and the deload
  week must stay light.
- Write short coaching notes (at most {MAX_NOTE_CHARS} characters each) for exercises that
  need a cue, and a summary note (at most {MAX_SUMMARY_NOTE_CHARS} characters) for the program.
- Empty lists are a fine answer when the draft is already right.
Answer only with JSON matching the given schema."""


@dataclass(frozen=True)
class _Draft:
    """What the model is shown and what its answer is checked against."""

    payload: dict[str, Any]
    offered: dict[str, list[str]]  # exercise id -> allowed substitute ids


def _learns_one(entry: catalog.Exercise, profile: Profile) -> bool:
    """A beginner's squat or hinge stays the one variant they learn (docs/science.md,
    "Goal rules"): a swap on one day would add a second."""
    beginner = profile.experience is Experience.BEGINNER
    return beginner and entry.pattern in (catalog.Pattern.SQUAT, catalog.Pattern.HINGE)


def _build_draft(program: Program, profile: Profile) -> _Draft:
    offered: dict[str, list[str]] = {}
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                if ex.exercise_id not in offered:
                    offered[ex.exercise_id] = [
                        s.id
                        for s in catalog.substitutes(ex.exercise_id, profile)
                        if s.id != ex.exercise_id
                        # a swap keeps the slot's purpose: strength for strength, power
                        # for power (pipeline.accounting counts only strength sets)
                        and s.category is catalog.CATALOG[ex.exercise_id].category
                    ]
                    if _learns_one(catalog.CATALOG[ex.exercise_id], profile):
                        offered[ex.exercise_id] = []
    mentioned = list(offered) + [i for ids in offered.values() for i in ids]
    exercises: dict[str, Any] = {}
    for ex_id in mentioned:
        if ex_id in exercises or ex_id not in catalog.CATALOG:
            continue
        entry = catalog.CATALOG[ex_id]
        exercises[ex_id] = {
            "name": entry.name,
            "muscle": str(entry.primary),
            "compound": entry.compound,
        }
    payload: dict[str, Any] = {
        "athlete": {
            "goal": str(profile.goal),
            "experience": str(profile.experience),
            "training_age_years": profile.training_age_years,
            "age": profile.age,
            "days_per_week": profile.days_per_week,
            "session_minutes": profile.session_minutes,
            "equipment": [str(e) for e in profile.equipment],
            "injuries": [str(i) for i in profile.injuries],
            "injury_note": profile.injury_note,
            "priority_muscles": [str(m) for m in profile.priority_muscles],
        },
        "periodization": {
            "model": str(program.periodization.model),
            "total_weeks": program.periodization.total_weeks,
            "deload_week": program.periodization.deload_week,
        },
        "landmarks": {str(lm.muscle): {"mev": lm.mev, "mrv": lm.mrv} for lm in program.landmarks},
        "weeks": [
            {
                "week": w.week,
                "phase": str(w.phase),
                "rir": w.target_rir,
                "weekly_sets": {str(ms.muscle): ms.sets for ms in w.weekly_sets},
                "days": [
                    {
                        "day": d.day,
                        "focus": d.focus,
                        "exercises": [
                            {
                                "pos": pos,
                                "id": ex.exercise_id,
                                "sets": ex.sets,
                                "reps": f"{ex.reps_min}-{ex.reps_max}",
                                "rpe": ex.target_rpe,
                            }
                            for pos, ex in enumerate(d.exercises, start=1)
                        ],
                    }
                    for d in w.days
                ],
            }
            for w in program.weeks
        ],
        "slots": [
            {
                "day": d.day,
                "focus": d.focus,
                "exercises": [
                    {"pos": pos, "id": ex.exercise_id}
                    for pos, ex in enumerate(d.exercises, start=1)
                ],
            }
            for d in program.weeks[0].days
        ]
        if program.weeks
        else [],
        "substitutes": offered,
        "exercises": exercises,
    }
    return _Draft(payload=payload, offered=offered)


# --------------------------------------------------------------------------- applying


class _RuleViolation(Exception):
    pass


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _apply(
    program: Program, profile: Profile, draft: _Draft, answer: LlmRefinement, model: str
) -> Program:
    """The refined program, or _RuleViolation / ProgramInvalid when the answer breaks a rule."""
    data = program.model_dump()
    slots: dict[tuple[int, int, int], dict[str, Any]] = {}
    for w in data["weeks"]:
        for d in w["days"]:
            for pos, ex in enumerate(d["exercises"], start=1):
                slots[(w["week"], d["day"], pos)] = ex
    original = {key: ex["exercise_id"] for key, ex in slots.items()}
    # The slot layout every week repeats: week 1 holds every slot of every day (the
    # engine gives each exercise sets from week 1 on; the deload may skip some).
    first_week = data["weeks"][0]["week"] if data["weeks"] else 0
    layout = {(d, pos): ex_id for (w, d, pos), ex_id in original.items() if w == first_week}
    e1rms = {e.lift: e.e1rm for e in program.analysis.lifts}

    def where(week: int, day: int, pos: int) -> str:
        return f"week {week} day {day} position {pos}"

    def load_for(exercise_id: str, ex: dict[str, Any]) -> tuple[float | None, float | None, str]:
        return autoregulation.prescribed_load(
            exercise_id,
            ex["reps_max"],
            ex["target_rir"],
            e1rms,
            profile.bodyweight,
            program.analysis.plate_increment,
        )

    swapped: set[tuple[int, int]] = set()
    for sub in answer.substitutions:
        slot = (sub.day, sub.position)
        at = f"day {sub.day} position {sub.position}"
        if slot not in layout:
            raise _RuleViolation(f"no exercise at {at}")
        if slot in swapped:
            raise _RuleViolation(f"two substitutions for {at}")
        swapped.add(slot)
        current = layout[slot]
        if sub.current_exercise_id != current:
            raise _RuleViolation(f"{at} holds {current!r}, not {sub.current_exercise_id!r}")
        if sub.new_exercise_id == current:
            continue
        if sub.new_exercise_id not in draft.offered.get(current, []):
            raise _RuleViolation(
                f"exercise {sub.new_exercise_id!r} not offered for {current!r} at {at}"
            )
        entry = catalog.CATALOG.get(sub.new_exercise_id)
        if entry is None:  # offered ids come from the catalog; belt and braces
            raise _RuleViolation(f"exercise {sub.new_exercise_id!r} is not in the catalog")
        # The same slot in every week: the day's occurrence of the current exercise (an
        # exercise is on a day at most once, and its position can shift in the deload).
        for (_, day, _), ex in slots.items():
            if day != sub.day or ex["exercise_id"] != current:
                continue
            # The engine's note for the slot (weak point, priority muscle) stays, as the
            # substitute trains the same muscle; the old exercise's load note goes, and
            # the load follows the new exercise through the engine's own load rule.
            kept = ex["notes"]
            _, _, old_note = load_for(current, ex)
            if old_note and kept.endswith(old_note):
                kept = kept[: -len(old_note)].rstrip()
            load, percent, new_note = load_for(entry.id, ex)
            ex.update(
                exercise_id=entry.id,
                name=entry.name,
                load=load,
                load_percent_e1rm=percent,
                notes=" ".join(n for n in (kept, new_note) if n),
            )

    seen: set[tuple[int, int, int]] = set()
    for change in answer.set_changes:
        key = (change.week, change.day, change.position)
        if key not in slots:
            raise _RuleViolation(f"no exercise at {where(*key)}")
        if key in seen:
            raise _RuleViolation(f"two set changes for {where(*key)}")
        seen.add(key)
        if change.exercise_id not in (original[key], slots[key]["exercise_id"]):
            raise _RuleViolation(
                f"{where(*key)} holds {slots[key]['exercise_id']!r}, not {change.exercise_id!r}"
            )
        if not 1 <= change.sets <= MAX_SETS_PER_EXERCISE:
            raise _RuleViolation(
                f"{change.sets} sets at {where(*key)} outside 1..{MAX_SETS_PER_EXERCISE}"
            )
        slots[key]["sets"] = change.sets

    for w in data["weeks"]:
        for d in w["days"]:
            ids = [ex["exercise_id"] for ex in d["exercises"]]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise _RuleViolation(
                    f"exercise {dupes[0]!r} twice in week {w['week']} day {d['day']}"
                )
        _recount_week(w, Unit(data["unit"]), data["analysis"]["plate_increment"])

    mrv = {lm.muscle: lm.mrv for lm in program.landmarks}
    for w in data["weeks"]:
        for ms in w["weekly_sets"]:
            limit = mrv.get(ms["muscle"])
            if limit is not None and ms["sets"] > limit:
                raise _RuleViolation(
                    f"week {w['week']} {ms['muscle']} volume {ms['sets']} sets above MRV {limit}"
                )

    in_program = {ex["exercise_id"] for ex in slots.values()}
    notes: dict[str, str] = {}
    for n in answer.exercise_notes:
        if n.exercise_id not in in_program:
            raise _RuleViolation(f"note for exercise {n.exercise_id!r} not in the program")
        text = n.note.strip()
        if text:
            notes[n.exercise_id] = (
                f"{notes[n.exercise_id]} {text}" if n.exercise_id in notes else text
            )
    for ex in slots.values():
        if ex["exercise_id"] in notes:
            # Appended: the engine's own notes (weak point, load basis ...) stay.
            coach = _truncate(notes[ex["exercise_id"]], MAX_NOTE_CHARS)
            ex["notes"] = " ".join(n for n in (ex["notes"], coach) if n)

    summary_note = _truncate(answer.summary_note, MAX_SUMMARY_NOTE_CHARS)
    if summary_note:
        data["summary"] = f"{data['summary']}\n\nCoach's note: {summary_note}"
    data["provenance"].update(llm_refined=True, llm_model=model, llm_fallback_reason="")

    refined = Program.model_validate(data)
    validator.validate_program(refined, profile)
    return refined


def _recount_week(week: dict[str, Any], unit: Unit, step: float) -> None:
    """Recompute a week's derived numbers after substitutions and set changes, with the
    same accounting the builder and the validator use: warm-up sets, minutes per day,
    and hard sets per muscle (the engine's muscles in the engine's order, plus any newly
    trained)."""
    for day in week["days"]:
        exercises = warmups.with_warmups(
            [PrescribedExercise.model_validate(ex) for ex in day["exercises"]], unit, step
        )
        for data, ex in zip(day["exercises"], exercises, strict=True):
            data["warmup_sets"] = [w.model_dump() for w in ex.warmup_sets]  # in place
        day["estimated_minutes"] = accounting.session_minutes(exercises)
    totals = accounting.hard_sets(
        (ex["exercise_id"], ex["sets"]) for day in week["days"] for ex in day["exercises"]
    )
    listed = [Muscle(ms["muscle"]) for ms in week["weekly_sets"]]
    listed += [m for m in Muscle if m not in listed and totals[m] > 0]
    week["weekly_sets"] = [
        ms.model_dump() for ms in accounting.muscle_sets({m: totals[m] for m in listed})
    ]


# --------------------------------------------------------------------------- retry loop


class _Failure(Exception):
    """One failed attempt: ``kind`` is the machine-ish prefix of the fallback reason."""

    def __init__(
        self, kind: str, message: str, *, retryable: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


def _redact(text: str, secret: str) -> str:
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


def _retry_after_seconds(headers: Mapping[str, str], clock: Clock) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (delta-seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000
            if math.isfinite(value):
                return max(0.0, value)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        value = float(raw)
        return max(0.0, value) if math.isfinite(value) else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - clock())


def _classify(exc: openai.OpenAIError, clock: Clock) -> _Failure:
    if isinstance(exc, openai.APITimeoutError):
        return _Failure("timeout", "request timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return _Failure("connection error", str(exc), retryable=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        message = exc.message
        if code == 429:
            return _Failure(
                "rate limited",
                message,
                retryable=True,
                retry_after=_retry_after_seconds(exc.response.headers, clock),
            )
        if code in _TRANSIENT_STATUS or code >= 500:
            return _Failure(f"server error {code}", message, retryable=True)
        return _Failure(f"http {code}", message, retryable=False)
    if isinstance(exc, openai.APIResponseValidationError):
        return _Failure("malformed output", str(exc), retryable=True)
    return _Failure("client error", f"{type(exc).__name__}: {exc}", retryable=False)


async def _ask(client: openai.AsyncOpenAI, settings: LlmSettings, draft: _Draft) -> LlmRefinement:
    completion = await client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": _SYSTEM_PROMPT},
            {"role": "user", "content": json.dumps(draft.payload, separators=(",", ":"))},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": response_schema()},
        },
        temperature=0.2,
    )
    # The SDK does not validate the body: a non-JSON 200 comes back as a str, and a JSON
    # object of another shape as a ChatCompletion whose fields are None.
    choices = completion.choices if isinstance(completion, ChatCompletion) else None
    if not choices or getattr(choices[0], "message", None) is None:
        raise _Failure("malformed output", "the response is not a chat completion", retryable=True)
    choice = choices[0]
    if choice.message.refusal:
        # The model declined on purpose: asking the same again will not change its mind.
        raise _Failure("refused", choice.message.refusal, retryable=False)
    if choice.finish_reason == "length":
        raise _Failure("malformed output", "answer truncated (length limit)", retryable=True)
    text = choice.message.content
    if not text:
        raise _Failure("malformed output", "empty content", retryable=True)
    try:
        return LlmRefinement.model_validate_json(text)
    except ValidationError as exc:
        kinds = {e["type"] for e in exc.errors()}
        if "json_invalid" in kinds:
            first = exc.errors()[0]["msg"]
            raise _Failure("malformed output", f"invalid JSON: {first}", retryable=True) from None
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}"
            for e in exc.errors()[:3]
        )
        raise _Failure("schema mismatch", details, retryable=True) from None


def _backoff(settings: LlmSettings, attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1)))."""
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return rng.uniform(0.0, max(0.0, ceiling))


def _fallback(program: Program, reason: str, secret: str) -> Program:
    reason = _truncate(_redact(reason, secret), MAX_REASON_CHARS)
    provenance = program.provenance.model_copy(
        update={"llm_refined": False, "llm_model": "", "llm_fallback_reason": reason}
    )
    return program.model_copy(update={"provenance": provenance})


async def refine(
    program: Program,
    profile: Profile,
    settings: LlmSettings,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    clock: Clock = time.time,
    retry_after_cap_s: float = RETRY_AFTER_CAP_S,
) -> Program:
    """Ask the model to refine ``program``; the refined program, or ``program`` itself with
    ``provenance.llm_fallback_reason`` set. Never raises for LLM faults.

    Retry policy (``settings.max_attempts`` attempts in all, whatever went wrong):
    - timeout, connection error, 408/409/429, 5xx: retried. The wait is the server's
      ``retry-after-ms``/``Retry-After`` when a 429 carries one (if it exceeds
      ``retry_after_cap_s`` we stop at once), else exponential backoff with full jitter
      (``backoff_base_s`` doubling, capped at ``backoff_max_s``).
    - malformed JSON, schema mismatch, truncated/empty answer: retried the same way. With
      strict structured output these are sampling or transport glitches, not the model's
      considered answer, so a fresh sample is likely to be fine and is cheap next to
      losing the refinement.
    - rule-breaking answers (id not offered, volume above MRV, validator violations), a
      refusal, other 4xx (bad key, unknown model, bad request): NOT retried. The model saw
      the constraints and chose to break them, or the request itself is wrong; the same
      prompt would very likely get the same result, and the engine's program is valid.

    ``sleep``, ``rng`` and ``clock`` are injectable so tests are deterministic and instant.
    """
    secret = settings.api_key
    rng = rng or random.Random()
    attempts = max(1, settings.max_attempts)
    try:
        draft = _build_draft(program, profile)
    except Exception as exc:  # a pipeline bug must not kill the generation: engine stands
        log.error("llm refinement skipped: could not build the draft: %s", type(exc).__name__)
        return _fallback(program, f"internal error: {type(exc).__name__}: {exc}", secret)

    last: _Failure | None = None
    attempt = 0
    try:
        async with openai.AsyncOpenAI(
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            max_retries=0,  # our own loop below controls backoff and Retry-After
        ) as client:
            for attempt in range(1, attempts + 1):
                try:
                    try:
                        answer = await _ask(client, settings, draft)
                    except openai.OpenAIError as exc:
                        raise _classify(exc, clock) from None
                    try:
                        refined = _apply(program, profile, draft, answer, settings.model)
                    except _RuleViolation as exc:
                        raise _Failure("rule violation", str(exc), retryable=False) from None
                    except ProgramInvalid as exc:
                        details = "; ".join(
                            f"{v.field}: {v.description}" for v in exc.violations[:3]
                        )
                        raise _Failure("rule violation", details, retryable=False) from None
                except _Failure as failure:
                    last = failure
                    message = _redact(failure.message, secret)
                    if not failure.retryable or attempt >= attempts:
                        log.warning(
                            "llm attempt %d/%d failed: %s: %s",
                            attempt,
                            attempts,
                            failure.kind,
                            message,
                        )
                        break
                    if failure.retry_after is not None:
                        if failure.retry_after > retry_after_cap_s:
                            failure.message = (
                                f"retry-after {failure.retry_after:g}s exceeds cap "
                                f"{retry_after_cap_s:g}s"
                            )
                            failure.retryable = False
                            log.warning(
                                "llm attempt %d/%d: %s, %s; giving up",
                                attempt,
                                attempts,
                                failure.kind,
                                failure.message,
                            )
                            break
                        delay = failure.retry_after
                    else:
                        delay = _backoff(settings, attempt, rng)
                    log.warning(
                        "llm attempt %d/%d failed: %s: %s; retrying in %.2fs",
                        attempt,
                        attempts,
                        failure.kind,
                        message,
                        delay,
                    )
                    await sleep(delay)
                    continue
                log.info(
                    "llm refinement applied (model %s, attempt %d/%d)",
                    settings.model,
                    attempt,
                    attempts,
                )
                return refined
    except Exception as exc:  # never raise for LLM faults; CancelledError still propagates
        log.error("llm refinement failed unexpectedly: %s", _redact(repr(exc), secret))
        return _fallback(program, f"internal error: {type(exc).__name__}: {exc}", secret)

    assert last is not None
    if last.retryable:
        plural = "attempt" if attempt == 1 else "attempts"
        reason = f"{last.kind} after {attempt} {plural}: {last.message}"
    else:
        reason = f"{last.kind}: {last.message}"
    return _fallback(program, reason, secret)
