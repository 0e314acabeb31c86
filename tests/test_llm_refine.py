"""Stage 7 (LLM refinement) through the real openai client against a fake endpoint on
loopback (programgen.testing.fake_openai)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
from pydantic import ValidationError

from programgen.pipeline.autoregulation import prescription
from programgen.pipeline.catalog import CATALOG, substitutes
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    KnownLift,
    Lift,
    Muscle,
    PrescribedExercise,
    Profile,
    Program,
    Sex,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.refine import (
    MAX_SETS_PER_EXERCISE,
    SCHEMA_NAME,
    LlmRefinement,
    LlmSettings,
    refine,
    response_schema,
)
from programgen.pipeline.validator import validate_program
from programgen.testing import FakeOpenAI, free_port
from programgen.testing import fake_openai as fo
from programgen.testing import refiners as rf

KEY = "sk-test-DISTINCTIVE-7c1f0e9a4b2d"

PROFILE = Profile(
    goal=Goal.HYPERTROPHY,
    experience=Experience.INTERMEDIATE,
    training_age_years=2.0,
    days_per_week=4,
    session_minutes=75,
    equipment=[
        Equipment.BARBELL,
        Equipment.BENCH,
        Equipment.DUMBBELLS,
        Equipment.CABLES,
        Equipment.MACHINES,
        Equipment.PULL_UP_BAR,
    ],
    age=30,
    sex=Sex.MALE,
    bodyweight=80.0,
    sleep_hours=7.5,
    stress=4,
    lifts=[
        KnownLift(lift=Lift.SQUAT, weight=120.0, reps=5),
        KnownLift(lift=Lift.BENCH_PRESS, weight=90.0, reps=5),
        KnownLift(lift=Lift.DEADLIFT, weight=150.0, reps=3),
    ],
)


class SleepRecorder:
    """An injectable sleep that records the requested delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="module")
def draft() -> Program:
    return build_program(PROFILE)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def settings_for(server: FakeOpenAI, **overrides: object) -> LlmSettings:
    values: dict[str, object] = {
        "api_key": KEY,
        "model": "fake-coach-1",
        "base_url": server.base_url,
        "timeout_s": 2.0,
        "max_attempts": 3,
        "backoff_base_s": 0.5,
        "backoff_max_s": 4.0,
    }
    values.update(overrides)
    return LlmSettings(**values)  # type: ignore[arg-type]


def assert_fallback(result: Program, draft: Program, starts: str) -> None:
    assert result.provenance.llm_refined is False
    assert result.provenance.llm_model == ""
    assert result.provenance.llm_fallback_reason.startswith(starts), (
        result.provenance.llm_fallback_reason
    )
    # The engine's program stands, untouched apart from the provenance.
    assert result.model_copy(update={"provenance": draft.provenance}) == draft


# --------------------------------------------------------------------------- schema & settings


def test_response_schema_is_strict_compatible() -> None:
    schema = response_schema()

    def objects(node: object) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for v in node.values():
                found += objects(v)
        elif isinstance(node, list):
            for v in node:
                found += objects(v)
        return found

    objs = objects(schema)
    assert len(objs) == 4  # refinement, substitution, set change, note
    for obj in objs:
        assert obj["additionalProperties"] is False
        assert set(obj["required"]) == set(obj["properties"])
    assert "default" not in str(schema)
    assert set(schema["properties"]) == set(LlmRefinement.model_fields)


def test_settings_hide_the_key_and_hold_their_bounds() -> None:
    settings = LlmSettings(api_key=KEY)
    assert settings.secret == KEY
    for shown in (repr(settings), str(settings), settings.model_dump_json(), f"{settings!r}"):
        assert KEY not in shown
    assert settings == LlmSettings(api_key=KEY)
    for bad in (
        {"api_key": "   "},
        {"timeout_s": 0},
        {"max_attempts": 0},
        {"deadline_s": 0},
        {"backoff_base_s": -1},
        {"model": ""},
    ):
        with pytest.raises(ValidationError):
            LlmSettings(**{"api_key": KEY, **bad})  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        LlmSettings.model_validate({"api_key": KEY, "unknown": 1})
    with pytest.raises(ValidationError):
        settings.timeout_s = 5  # type: ignore[misc]


# --------------------------------------------------------------------------- success


async def test_good_answer_is_applied(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.good(rf.first_substitute))
    settings = settings_for(fake_openai)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert result.provenance.llm_refined is True
    assert result.provenance.llm_model == "fake-coach-1"
    assert result.provenance.llm_fallback_reason == ""
    assert sleeps.delays == []

    # The request: one call, the model, the key as a bearer token, the strict schema,
    # and the draft with the offered substitutes.
    [req] = fake_openai.chat_requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.body["model"] == "fake-coach-1"
    assert req.response_format == {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": response_schema()},
    }
    payload = req.user_payload
    assert len(payload["weeks"]) == len(draft.weeks)
    first = draft.weeks[0].days[0].exercises[0]
    assert payload["weeks"][0]["days"][0]["exercises"][0]["id"] == first.exercise_id
    # Offered: the catalog's substitutes of the same category (strength for strength).
    category = CATALOG[first.exercise_id].category
    assert payload["substitutes"][first.exercise_id] == [
        e.id for e in substitutes(first.exercise_id, PROFILE) if e.category is category
    ]
    assert {"mev", "mrv"} <= set(payload["landmarks"]["chest"])

    # The answer, applied: the substitution, its note, the summary note.
    answer = rf.first_substitute(req.body)
    [sub] = answer["substitutions"]
    old, new = sub["current_exercise_id"], sub["new_exercise_id"]
    assert set(sub) == {"day", "position", "current_exercise_id", "new_exercise_id"}
    first_day = next(d for d in result.weeks[0].days if d.day == sub["day"])
    assert first_day.exercises[sub["position"] - 1].exercise_id == new
    assert "Fake coach" in result.summary
    # The swap holds for that slot in EVERY week (progression stays trackable), and
    # nothing else changes apart from notes on the new exercise.
    swaps = 0
    for w_refined, w_draft in zip(result.weeks, draft.weeks, strict=True):
        for d_refined, d_draft in zip(w_refined.days, w_draft.days, strict=True):
            if d_refined.day == sub["day"]:
                assert old not in {e.exercise_id for e in d_refined.exercises}
            for e_refined, e_draft in zip(d_refined.exercises, d_draft.exercises, strict=True):
                if d_refined.day == sub["day"] and e_draft.exercise_id == old:
                    swaps += 1
                    entry = CATALOG[new]
                    assert (e_refined.exercise_id, e_refined.name) == (new, entry.name)
                    expected = prescription(
                        new,
                        e_draft.reps_min,
                        e_draft.reps_max,
                        e_draft.target_rir,
                        draft.weeks[0].target_rir,
                        PROFILE,
                        draft.analysis,
                    )
                    # Sets stay; reps, load and progression follow the new exercise.
                    assert e_refined.sets == e_draft.sets
                    assert e_refined.reps_max == expected.reps_max
                    assert (e_refined.load, e_refined.load_percent_e1rm) == (
                        expected.load,
                        expected.load_percent_e1rm,
                    )
                    assert e_refined.progression == expected.progression
                    note = expected.note
                    # The engine's note for the new exercise, then the model's, appended.
                    coach = f"Fake note for {new}."
                    assert e_refined.notes == " ".join(n for n in (note, coach) if n)
                    continue
                assert e_refined == e_draft or (
                    e_refined.exercise_id == new
                    and e_refined.model_copy(update={"notes": e_draft.notes}) == e_draft
                    and e_refined.notes.endswith(f"Fake note for {new}.")
                )
    assert swaps == sum(
        1
        for w in draft.weeks
        for d in w.days
        if d.day == sub["day"]
        for e in d.exercises
        if e.exercise_id == old
    )
    assert swaps >= len(draft.weeks) - 1  # every accumulation week, the deload too if kept
    # The program is still valid.
    validate_program(result, PROFILE)


def _occurrences(program: Program, day: int, exercise_id: str) -> list[PrescribedExercise]:
    return [
        ex
        for week in program.weeks
        for d in week.days
        if d.day == day
        for ex in d.exercises
        if ex.exercise_id == exercise_id
    ]


async def test_a_swap_onto_a_known_lift_gets_the_engines_load(
    fake_openai: FakeOpenAI, draft: Program
) -> None:
    known = {e.lift for e in draft.analysis.lifts}
    picked: dict[str, Any] = {}

    def onto_a_known_lift(body: rf.JsonObject) -> rf.JsonObject:
        payload = rf.user_payload(body)
        for day, exercise in rf.iter_layout(payload):
            if CATALOG[exercise["id"]].load_basis is not None:
                continue
            on_day = {e["id"] for d, e in rf.iter_layout(payload) if d == day}
            for new in payload["substitutes"][exercise["id"]]:
                if CATALOG[new].lift in known and new not in on_day:
                    picked.update(day=day, old=exercise["id"], new=new)
                    out = rf.empty_refinement()
                    out["substitutions"].append(rf.substitution(day, exercise, new))
                    return out
        raise AssertionError("no load-less slot with a known-lift substitute")

    fake_openai.enqueue(fo.good(onto_a_known_lift))
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=SleepRecorder())

    assert result.provenance.llm_refined is True
    before = _occurrences(draft, picked["day"], picked["old"])
    after = _occurrences(result, picked["day"], picked["new"])
    assert before and len(after) == len(before)
    for old_ex, new_ex in zip(before, after, strict=True):
        assert old_ex.load is None
        expected = prescription(
            picked["new"],
            old_ex.reps_min,
            old_ex.reps_max,
            old_ex.target_rir,
            draft.weeks[0].target_rir,
            PROFILE,
            draft.analysis,
        )
        assert expected.load is not None and expected.load > 0
        assert (new_ex.load, new_ex.load_percent_e1rm) == (
            expected.load,
            expected.load_percent_e1rm,
        )
    validate_program(result, PROFILE)


async def test_model_notes_are_appended_to_the_engines_notes(fake_openai: FakeOpenAI) -> None:
    profile = PROFILE.model_copy(update={"priority_muscles": [Muscle.CHEST]})
    program = build_program(profile)
    chest = [
        ex
        for d in program.weeks[0].days
        for ex in d.exercises
        if CATALOG[ex.exercise_id].primary is Muscle.CHEST
    ]
    assert chest and all(ex.notes.startswith("Priority muscle.") for ex in chest)
    target = chest[0].exercise_id
    cue = "Pin the shoulder blades."

    def note_only(body: rf.JsonObject) -> rf.JsonObject:
        out = rf.empty_refinement()
        out["exercise_notes"].append({"exercise_id": target, "note": cue})
        return out

    fake_openai.enqueue(fo.good(note_only))
    result = await refine(program, profile, settings_for(fake_openai), sleep=SleepRecorder())

    assert result.provenance.llm_refined is True
    for w_refined, w_draft in zip(result.weeks, program.weeks, strict=True):
        for d_refined, d_draft in zip(w_refined.days, w_draft.days, strict=True):
            for e_refined, e_draft in zip(d_refined.exercises, d_draft.exercises, strict=True):
                if e_draft.exercise_id == target:
                    assert e_refined.notes == f"{e_draft.notes} {cue}"
                else:
                    assert e_refined == e_draft


async def test_a_swapped_slot_keeps_the_engines_slot_note(fake_openai: FakeOpenAI) -> None:
    # A substitute trains the same muscle, so "Priority muscle." stays with the slot.
    profile = PROFILE.model_copy(update={"priority_muscles": [Muscle.CHEST]})
    program = build_program(profile)
    fake_openai.enqueue(fo.good(rf.first_substitute))
    result = await refine(program, profile, settings_for(fake_openai), sleep=SleepRecorder())

    assert result.provenance.llm_refined is True
    [req] = fake_openai.chat_requests
    [sub] = rf.first_substitute(req.body)["substitutions"]
    assert CATALOG[sub["current_exercise_id"]].primary is Muscle.CHEST
    swapped = _occurrences(result, sub["day"], sub["new_exercise_id"])
    assert swapped
    for ex in swapped:
        assert ex.notes.startswith("Priority muscle.")
        assert ex.notes.endswith(f"Fake note for {sub['new_exercise_id']}.")


async def test_empty_answer_still_counts_as_refined(
    fake_openai: FakeOpenAI, draft: Program
) -> None:
    fake_openai.enqueue(fo.good(lambda body: rf.empty_refinement()))
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=SleepRecorder())
    assert result.provenance.llm_refined is True
    assert result.weeks == draft.weeks and result.summary == draft.summary


# --------------------------------------------------------------------------- transient faults


async def test_timeout_retries_then_falls_back(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.hang(), fo.hang(), fo.hang())
    settings = settings_for(fake_openai, timeout_s=0.2)

    result = await refine(draft, PROFILE, settings, sleep=sleeps, rng=random.Random(7))

    assert_fallback(result, draft, "timeout after 3 attempts")
    assert len(fake_openai.chat_requests) == 3
    # Full jitter: uniform(0, min(cap, base * 2**(n-1))) after attempts 1 and 2.
    rng = random.Random(7)
    assert sleeps.delays == [rng.uniform(0, 0.5), rng.uniform(0, 1.0)]


async def test_backoff_is_capped(fake_openai: FakeOpenAI, draft: Program) -> None:
    fake_openai.enqueue(*[fo.server_error(503)] * 6)
    sleeps = SleepRecorder()
    settings = settings_for(fake_openai, max_attempts=6, backoff_base_s=1.0, backoff_max_s=3.0)

    result = await refine(draft, PROFILE, settings, sleep=sleeps, rng=random.Random(1))

    assert_fallback(result, draft, "server error 503 after 6 attempts")
    rng = random.Random(1)
    assert sleeps.delays == [rng.uniform(0, c) for c in (1.0, 2.0, 3.0, 3.0, 3.0)]


async def test_429_honours_retry_after_seconds(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.rate_limited("2"), fo.good())

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert result.provenance.llm_refined is True
    assert sleeps.delays == [2.0]
    assert len(fake_openai.chat_requests) == 2


async def test_429_honours_retry_after_http_date(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    when = format_datetime(datetime.fromtimestamp(now + 7, tz=UTC), usegmt=True)
    fake_openai.enqueue(fo.rate_limited(when), fo.rate_limited("0.25"), fo.good())

    result = await refine(
        draft, PROFILE, settings_for(fake_openai), sleep=sleeps, clock=lambda: now
    )

    assert result.provenance.llm_refined is True
    assert sleeps.delays == [7.0, 0.25]


async def test_429_retry_after_beyond_cap_gives_up_at_once(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.rate_limited("600"))

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert_fallback(result, draft, "rate limited: retry-after 600s exceeds cap")
    assert sleeps.delays == []
    assert len(fake_openai.chat_requests) == 1


async def test_429_without_retry_after_uses_backoff(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.rate_limited(None), fo.rate_limited(None), fo.rate_limited(None))

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert_fallback(result, draft, "rate limited after 3 attempts")
    assert len(sleeps.delays) == 2
    assert 0 <= sleeps.delays[0] <= 0.5 and 0 <= sleeps.delays[1] <= 1.0


async def test_500_then_success(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.server_error(500), fo.server_error(502), fo.good())

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert result.provenance.llm_refined is True
    assert len(fake_openai.chat_requests) == 3
    assert len(sleeps.delays) == 2


async def test_500_every_time_falls_back(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(*[fo.server_error(500)] * 3, fo.good())

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert_fallback(result, draft, "server error 500 after 3 attempts")
    assert len(fake_openai.chat_requests) == 3
    assert fake_openai.pending() == 1  # the good answer was never asked for


async def test_connection_refused_falls_back(draft: Program, sleeps: SleepRecorder) -> None:
    port = free_port()  # a loopback port nobody listens on
    settings = LlmSettings(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_attempts=2)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert_fallback(result, draft, "connection error after 2 attempts")
    assert len(sleeps.delays) == 1


# --------------------------------------------------------------------------- time bounds


async def test_a_trickling_answer_is_cut_off_at_the_attempt_timeout(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    # One byte every 100 ms: every read is quick, the whole answer would take over a
    # minute. The timeout bounds the attempt, not each read.
    fake_openai.enqueue(fo.trickle(0.1))
    settings = settings_for(fake_openai, timeout_s=1.0, max_attempts=1)

    began = time.monotonic()
    result = await refine(draft, PROFILE, settings, sleep=sleeps)
    elapsed = time.monotonic() - began

    assert_fallback(result, draft, "timeout after 1 attempt: request timed out")
    assert 0.9 <= elapsed < 5.0, f"gave up after {elapsed:.1f} s"
    assert len(fake_openai.chat_requests) == 1


async def test_the_stage_deadline_bounds_every_attempt(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(*[fo.trickle(0.1)] * 5)
    settings = settings_for(
        fake_openai, timeout_s=1.0, max_attempts=5, deadline_s=1.5, backoff_base_s=0.0
    )

    began = time.monotonic()
    result = await refine(draft, PROFILE, settings, sleep=sleeps)
    elapsed = time.monotonic() - began

    # Attempt 1 times out at 1 s; attempt 2 is cut by the deadline at 1.5 s.
    assert_fallback(result, draft, "deadline 1.5s exceeded during attempt 2; last failure: timeout")
    assert 1.4 <= elapsed < 5.0, f"gave up after {elapsed:.1f} s"
    assert len(fake_openai.chat_requests) == 2


async def test_a_wait_that_would_pass_the_deadline_is_not_taken(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.rate_limited("20"), fo.good())
    settings = settings_for(fake_openai, deadline_s=5.0)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert_fallback(result, draft, "deadline 5s leaves no time to wait 20.00s for another attempt")
    assert "last failure: rate limited" in result.provenance.llm_fallback_reason
    assert sleeps.delays == []
    assert len(fake_openai.chat_requests) == 1


# --------------------------------------------------------------------------- bad answers


async def test_malformed_json_is_retried_then_falls_back(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(*[fo.content('{"substitutions": [')] * 3)

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert_fallback(result, draft, "malformed output after 3 attempts: invalid JSON")
    assert len(fake_openai.chat_requests) == 3


async def test_malformed_json_then_good_answer(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.content("Sure! Here is your program:"), fo.good())
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)
    assert result.provenance.llm_refined is True


async def test_a_body_that_is_no_completion_is_malformed(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(
        fo.raw(b"<html>502 Bad Gateway</html>"), fo.raw(b'{"foo": 1}', 200, "application/json")
    )
    settings = settings_for(fake_openai, max_attempts=2)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert_fallback(result, draft, "malformed output after 2 attempts: the response is not")


async def test_schema_mismatch_falls_back(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(*[fo.content('{"substitutions": [], "notes": "hi"}')] * 2)
    settings = settings_for(fake_openai, max_attempts=2)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert_fallback(result, draft, "schema mismatch after 2 attempts")
    assert "set_changes" in result.provenance.llm_fallback_reason


async def test_refusal_is_not_retried(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.refusal("I can't help with that."))
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)
    assert_fallback(result, draft, "refused: I can't help with that.")
    assert len(fake_openai.chat_requests) == 1


async def test_substitute_not_offered_is_rejected(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(fo.good(rf.not_offered), fo.good())

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    first = draft.weeks[0].days[0].exercises[0].exercise_id
    assert_fallback(result, draft, "rule violation: exercise '")
    assert f"not offered for '{first}' at day 1 position 1" in (
        result.provenance.llm_fallback_reason
    )
    # Rule-breaking answers are not retried.
    assert len(fake_openai.chat_requests) == 1
    assert sleeps.delays == []


async def test_volume_above_mrv_is_rejected(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    fake_openai.enqueue(
        fo.good(lambda body: rf.above_mrv(body, max_sets=MAX_SETS_PER_EXERCISE)), fo.good()
    )

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    assert_fallback(result, draft, "rule violation: week ")
    assert "above MRV" in result.provenance.llm_fallback_reason
    assert len(fake_openai.chat_requests) == 1


async def test_wrong_position_is_rejected(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    def wrong_slot(body: rf.JsonObject) -> rf.JsonObject:
        out = rf.first_substitute(body)
        out["substitutions"][0]["position"] = 99
        return out

    fake_openai.enqueue(fo.good(wrong_slot))
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)
    assert_fallback(result, draft, "rule violation: no exercise at day ")


async def test_too_many_sets_is_rejected(
    fake_openai: FakeOpenAI, draft: Program, sleeps: SleepRecorder
) -> None:
    def many_sets(body: rf.JsonObject) -> rf.JsonObject:
        week, day, ex = next(rf.iter_slots(rf.user_payload(body)))
        out = rf.empty_refinement()
        out["set_changes"].append(
            {"week": week, "day": day, "position": ex["pos"], "exercise_id": ex["id"], "sets": 40}
        )
        return out

    fake_openai.enqueue(fo.good(many_sets))
    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)
    assert_fallback(result, draft, "rule violation: 40 sets at week 1 day 1 position 1")


# --------------------------------------------------------------------------- secrets


async def test_api_key_never_in_reason_or_logs(
    fake_openai: FakeOpenAI,
    draft: Program,
    sleeps: SleepRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Incorrect API key provided: {KEY}"
    # A server that echoes the key: in a retried 5xx, then in a permanent 401.
    fake_openai.enqueue(fo.status(500, echo), fo.status(401, echo))

    result = await refine(draft, PROFILE, settings_for(fake_openai), sleep=sleeps)

    reason = result.provenance.llm_fallback_reason
    assert reason.startswith("http 401: ")
    assert "[redacted]" in reason
    assert KEY not in reason
    assert caplog.records, "the failures should be logged"
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in (record.exc_text or "")
    assert KEY not in caplog.text
    assert len(fake_openai.chat_requests) == 2


async def test_api_key_not_in_timeout_logs(
    fake_openai: FakeOpenAI,
    draft: Program,
    sleeps: SleepRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_openai.enqueue(fo.hang(), fo.content("nope"))
    settings = settings_for(fake_openai, timeout_s=0.2, max_attempts=2)

    result = await refine(draft, PROFILE, settings, sleep=sleeps)

    assert KEY not in result.provenance.llm_fallback_reason
    assert KEY not in caplog.text
    assert KEY not in repr(result)


# --------------------------------------------------------------------------- fixture behaviours


async def test_hold_keeps_the_call_in_flight_until_released(
    fake_openai: FakeOpenAI, draft: Program
) -> None:
    hold = fo.Hold()
    fake_openai.enqueue(hold)
    task = asyncio.create_task(
        refine(draft, PROFILE, settings_for(fake_openai, timeout_s=10.0), sleep=SleepRecorder())
    )
    assert await asyncio.to_thread(hold.entered.wait, 5.0)
    assert not task.done()
    hold.release()
    result = await asyncio.wait_for(task, 5.0)
    assert result.provenance.llm_refined is True


async def test_cancellation_propagates(fake_openai: FakeOpenAI, draft: Program) -> None:
    hold = fo.Hold()
    fake_openai.enqueue(hold)
    task = asyncio.create_task(
        refine(draft, PROFILE, settings_for(fake_openai, timeout_s=10.0), sleep=SleepRecorder())
    )
    assert await asyncio.to_thread(hold.entered.wait, 5.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_hold_as_default_serves_many_requests(draft: Program) -> None:
    hold = fo.Hold()
    with FakeOpenAI(default=hold) as fake:
        settings = settings_for(fake, timeout_s=10.0)
        tasks = [
            asyncio.create_task(refine(draft, PROFILE, settings, sleep=SleepRecorder()))
            for _ in range(2)
        ]
        assert await asyncio.to_thread(hold.entered.wait, 5.0)
        hold.release()
        results = await asyncio.wait_for(asyncio.gather(*tasks), 5.0)
        assert all(r.provenance.llm_refined for r in results)
        assert len(fake.chat_requests) == 2
