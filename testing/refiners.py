"""Answers for the fake endpoint that understand the draft the refinement stage sends.

The user message of a refinement request is JSON with ``weeks``, ``slots``,
``substitutes`` and ``exercises`` (see ``programgen.pipeline.refine.prompt``); a refiner
reads it and returns the refinement document the model would answer with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

JsonObject = dict[str, Any]
Refiner = Callable[[JsonObject], JsonObject]


def user_payload(body: JsonObject) -> JsonObject:
    """The JSON document in the last user message of a chat.completions request body."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            text = message["content"]
            if isinstance(text, list):  # content parts
                text = "".join(p.get("text", "") for p in text)
            doc = json.loads(text)
            assert isinstance(doc, dict)
            return doc
    raise AssertionError("no user message in the request")


def iter_slots(payload: JsonObject) -> Iterator[tuple[int, int, JsonObject]]:
    """(week, day, exercise) for every prescribed exercise in the draft."""
    for week in payload["weeks"]:
        for day in week["days"]:
            for exercise in day["exercises"]:
                yield week["week"], day["day"], exercise


def iter_layout(payload: JsonObject) -> Iterator[tuple[int, JsonObject]]:
    """(day, exercise) for every exercise slot, the layout every week repeats."""
    for day in payload["slots"]:
        for exercise in day["exercises"]:
            yield day["day"], exercise


def substitution(day: int, exercise: JsonObject, new_exercise_id: str) -> JsonObject:
    """A substitution of the slot (day, exercise["pos"]) in every week."""
    return {
        "day": day,
        "position": exercise["pos"],
        "current_exercise_id": exercise["id"],
        "new_exercise_id": new_exercise_id,
    }


def empty_refinement(summary_note: str = "") -> JsonObject:
    return {
        "substitutions": [],
        "set_changes": [],
        "exercise_notes": [],
        "summary_note": summary_note,
    }


def first_substitute(body: JsonObject) -> JsonObject:
    """A valid refinement: swap the first exercise slot that has an offered substitute
    (not already on that day) for that substitute - in every week, as substitutions go -
    note it, and add a summary."""
    payload = user_payload(body)
    out = empty_refinement("Fake coach: keep two reps in reserve on the anchor lifts.")
    for day, exercise in iter_layout(payload):
        offered = payload["substitutes"].get(exercise["id"], [])
        day_ids = {e["id"] for d, e in iter_layout(payload) if d == day}
        choice = next((c for c in offered if c not in day_ids), None)
        if choice is None:
            continue
        out["substitutions"].append(substitution(day, exercise, choice))
        out["exercise_notes"].append({"exercise_id": choice, "note": f"Fake note for {choice}."})
        return out
    return out


def not_offered(body: JsonObject) -> JsonObject:
    """Rule-breaking: substitute the first exercise with a catalog id it was not offered."""
    payload = user_payload(body)
    day, exercise = next(iter_layout(payload))
    offered = set(payload["substitutes"].get(exercise["id"], []))
    known = [i for i in payload["exercises"] if i not in offered and i != exercise["id"]]
    out = empty_refinement()
    out["substitutions"].append(
        substitution(day, exercise, known[0] if known else "not_a_catalog_id")
    )
    return out


def above_mrv(body: JsonObject, max_sets: int = 10) -> JsonObject:
    """Rule-breaking: raise every exercise of one muscle in one week to ``max_sets`` sets,
    enough to push that muscle's weekly hard sets above its MRV (first such muscle/week)."""
    payload = user_payload(body)
    muscle_of = {i: e["muscle"] for i, e in payload["exercises"].items()}
    for week in payload["weeks"]:
        slots = [(day["day"], ex) for day in week["days"] for ex in day["exercises"]]
        for muscle, limits in payload["landmarks"].items():
            mine = [(d, ex) for d, ex in slots if muscle_of.get(ex["id"]) == muscle]
            if not mine or len(mine) * max_sets <= limits["mrv"]:
                continue
            out = empty_refinement()
            total = 0
            for d, ex in mine:
                out["set_changes"].append(
                    {
                        "week": week["week"],
                        "day": d,
                        "position": ex["pos"],
                        "exercise_id": ex["id"],
                        "sets": max_sets,
                    }
                )
                total += max_sets
                if total > limits["mrv"]:
                    break
            return out
    raise AssertionError("no muscle has room to exceed its MRV with this draft")
