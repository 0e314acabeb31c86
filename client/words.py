"""Contract values in words a lifter reads: muscles, loads, reps, rest, phases.

Shared by the terminal view and every export, so a program reads the same on screen, on
paper and in a spreadsheet.
"""

from __future__ import annotations

from google.protobuf.descriptor import EnumDescriptor

from programgen.v1 import profile_pb2, program_pb2

_MUSCLE_WORDS = {
    "side_rear_delts": "side & rear delts",
    "front_delts": "front delts",
}


def enum_words(enum: EnumDescriptor, value: int) -> str:
    """``PHASE_DELOAD`` → ``deload``; an unknown number stays a number."""
    found = enum.values_by_number.get(value)
    if found is None:
        return str(value)
    prefix = enum.values[0].name.removesuffix("UNSPECIFIED")
    return found.name.removeprefix(prefix).replace("_", " ").lower()


def muscle(value: int) -> str:
    name = enum_words(profile_pb2.Muscle.DESCRIPTOR, value)
    return _MUSCLE_WORDS.get(name.replace(" ", "_"), name)


def unit(program: program_pb2.Program) -> str:
    return "lb" if program.unit == profile_pb2.UNIT_LB else "kg"


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def reps(ex: program_pb2.PrescribedExercise) -> str:
    if ex.reps_min == ex.reps_max:
        return str(ex.reps_min)
    return f"{ex.reps_min}–{ex.reps_max}"


def prescription(ex: program_pb2.PrescribedExercise) -> str:
    """``3 × 8–10 @ RPE 7``."""
    return f"{ex.sets} × {reps(ex)} @ RPE {number(ex.target_rpe)}"


def rest(seconds: int) -> str:
    if seconds <= 0:
        return "no rest"
    return f"rest {seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"rest {seconds} s"


def load(ex: program_pb2.PrescribedExercise, unit_name: str) -> str:
    """The working weight as the lifter loads it: on the implement, added to bodyweight,
    as assistance, bodyweight alone, or chosen by effort."""
    kind = ex.load_kind
    if not ex.HasField("load"):
        if kind == program_pb2.LOAD_KIND_BODYWEIGHT:
            return "bodyweight"
        if kind == program_pb2.LOAD_KIND_ASSISTED:
            return "assisted, by RPE"
        return "weight by RPE"
    weight = f"{number(ex.load)} {unit_name}"
    if kind == program_pb2.LOAD_KIND_ADDED:
        text = f"bodyweight + {weight}"
    elif kind == program_pb2.LOAD_KIND_ASSISTED:
        text = f"{weight} assistance"
    else:
        text = weight
    if ex.HasField("load_percent_e1rm"):
        text += f" ({ex.load_percent_e1rm:.0f}%)"
    return text


def effort(week: program_pb2.Week) -> str:
    """``RPE 8 (2 reps in reserve)``: what the target RPE means, in the program's terms."""
    left = "1 rep" if week.target_rir == 1 else f"{week.target_rir} reps"
    return f"RPE {number(week.target_rpe)} ({left} in reserve)"


def warmups(ex: program_pb2.PrescribedExercise, unit_name: str) -> str:
    """``warm up: bar × 8, 45 kg × 5, 62.5 kg × 3`` (percent of the working load when it
    is chosen by RPE); "" when the exercise needs none."""
    if not ex.warmup_sets:
        return ""
    steps = []
    for w in ex.warmup_sets:
        if w.HasField("load"):
            what = f"{number(w.load)} {unit_name}"
        elif w.percent_of_working == 0:
            what = "bar" if ex.load_kind == program_pb2.LOAD_KIND_ABSOLUTE else "unloaded"
        else:
            what = f"{w.percent_of_working:.0f}% of the working weight"
        steps.append(f"{what} × {w.reps}")
    return "warm up: " + ", ".join(steps)


def attempt(a: program_pb2.Attempt, unit_name: str) -> str:
    """``Squat attempt 1: 1 rep at 92% (140 kg), RPE 8``."""
    where = f"{a.percent_e1rm:g}%" if a.HasField("percent_e1rm") else "by feel"
    if a.HasField("load"):
        where += f" ({number(a.load)} {unit_name})"
    reps_text = "1 rep" if a.reps == 1 else f"{a.reps} reps"
    return f"{a.name} attempt {a.number}: {reps_text} at {where}, RPE {number(a.target_rpe)}"


def phase(week: program_pb2.Week) -> str:
    return enum_words(program_pb2.Phase.DESCRIPTOR, week.phase)


def refinement(provenance: program_pb2.Provenance) -> str:
    """Where the program came from, without internal error text."""
    engine = f"built by {provenance.engine_version or 'the programgen engine'}"
    if provenance.llm_refined:
        return f"{engine}, refined by the language model {provenance.llm_model}".rstrip()
    if provenance.llm_fallback_reason:
        return (
            f"{engine}; the language model's suggestions were not used, so the engine's "
            f"own program stands ({_plain(provenance.llm_fallback_reason)})"
        )
    return engine


def _plain(reason: str) -> str:
    # Reasons name what went wrong in a few words first ("timeout", "rate limited",
    # "answer did not match the schema: …"); the detail after a colon is for operators.
    head = reason.split(":", 1)[0].strip()
    return head or "no reason recorded"
