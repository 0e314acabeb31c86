"""The phrase model: what a free-text injury note says about body areas and movements.

A small table of the project's own (documented in docs/injuries.md): each entry is a
regular expression over the lower-cased note with the injury areas and aggravating
movements (pipeline.injuries.review.Stress) it implies. The note is cut into clauses
(at . ; ! ? , and at "but"/"except"), and a match is dropped when its clause negates it:
a negator shortly before it ("no knee pain", "never had back trouble") or a
reassurance after it ("knees are fine", "dips without pain", "fully recovered"). A
movement phrase without an area in its own clause is attributed to the area named last
before it ("golfer's elbow ..., flares with close-grip pressing" -> elbow).

It recognises only what the table lists (joints, muscle strains and tendinopathies, and
any other word of pain or injury, which calls for the pain rule without restricting);
severity, side and dates are passed on unread. It never loosens the structured injuries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from programgen.pipeline.domain import InjuryArea
from programgen.pipeline.injuries.review import Stress

A = InjuryArea
S = Stress


@dataclass(frozen=True, slots=True)
class Phrase:
    label: str  # how the program names it
    pattern: re.Pattern[str]
    areas: frozenset[InjuryArea]
    stresses: frozenset[Stress]
    body: bool  # names a body part (negation applies), even one outside the six areas


def _p(
    label: str,
    regex: str,
    areas: tuple[A, ...] = (),
    stresses: tuple[S, ...] = (),
    body: bool = False,
) -> Phrase:
    pattern = re.compile(rf"\b(?:{regex})\b")
    return Phrase(label, pattern, frozenset(areas), frozenset(stresses), body or bool(areas))


# Words that say a named muscle or tendon is hurt: "hamstring strain", "tore my pec",
# "calf is sore". A muscle named alone ("stiff hamstrings") is not an injury.
_HURT = (
    r"strain\w*|pull(?:ed)?|tear|torn|tore|ruptur\w*|injur\w*|tendin\w*|tendon\w*|hurts?"
    r"|pain\w*|sore|tweak\w*|niggl\w*|spasms?|cramp\w*|surgery|repair\w*"
)
_HURT_VERB = r"strained|pulled|tore|torn|injured|tweaked|ruptured|hurt|repaired"


def _hurt(site: str) -> str:
    """A muscle or tendon site next to a word that says it is hurt (either order)."""
    return (
        rf"(?:{site})\W+(?:(?:is|are|was|got|still|a|bit|little|my|the|left|right|grade"
        rf"|[1-3]|mild|minor|bad|badly)\W+){{0,3}}(?:{_HURT})"
        rf"|(?:{_HURT_VERB})\W+(?:\w+\W+){{0,2}}?(?:{site})"
    )


# Specific side words first: a later, more generic entry covering the same text adds
# nothing new. Each regex starts at a word boundary.
PHRASES: tuple[Phrase, ...] = (
    # ------------------------------------------------------------------ elbow
    _p(
        "golfer's elbow",
        r"golfer'?s'? elbow|medial epicondyl\w*",
        (A.ELBOW,),
        (S.SUPINATED, S.GRIPPING),
    ),
    _p("tennis elbow", r"tennis elbow|lateral epicondyl\w*", (A.ELBOW,), (S.GRIPPING,)),
    _p("epicondylitis", r"epicondyl\w*", (A.ELBOW,)),
    _p("distal biceps", r"distal biceps|biceps tendon at the elbow", (A.ELBOW,), (S.SUPINATED,)),
    _p("elbow", r"elbows?|ucl\b|cubital tunnel|olecranon", (A.ELBOW,)),
    # ------------------------------------------------------------------ wrist
    _p("carpal tunnel", r"carpal tunnel", (A.WRIST,), (S.PUSH_UP,)),
    _p("wrist", r"wrists?|tfcc|de ?quervain'?s?|scaphoid", (A.WRIST,)),
    # ------------------------------------------------------------------ shoulder
    _p("rotator cuff", r"rotator cuff|supraspinatus|infraspinatus", (A.SHOULDER,), (S.OVERHEAD,)),
    _p(
        "shoulder impingement",
        r"(?<!hip )(?<!femoroacetabular )impinge\w*(?! (?:in|of|at) (?:my |the )?hip)",
        (A.SHOULDER,),
        (S.OVERHEAD,),
    ),
    _p("labrum", r"slap tear|shoulder labr\w*", (A.SHOULDER,), (S.OVERHEAD, S.DIPS)),
    _p("AC joint", r"ac joint|acromioclavicular", (A.SHOULDER,), (S.DIPS,)),
    _p("frozen shoulder", r"frozen shoulder|adhesive capsulitis", (A.SHOULDER,), (S.OVERHEAD,)),
    _p(
        "shoulder",
        r"shoulders?(?![- ]press)|delt(?:oid)? (?:pain|strain|injury)",
        (A.SHOULDER,),
    ),
    # ------------------------------------------------------------------ knee
    _p("ACL", r"acl|anterior cruciate", (A.KNEE,), (S.JUMPING,)),
    _p("meniscus", r"menisc\w*", (A.KNEE,), (S.DEEP_KNEE_FLEXION, S.KNEELING)),
    _p(
        "patellar pain",
        r"patell\w*|jumper'?s knee|runner'?s knee|kneecap|knee cap|pfps",
        (A.KNEE,),
        (S.DEEP_KNEE_FLEXION, S.JUMPING),
    ),
    _p("knee ligament", r"mcl|lcl|pcl", (A.KNEE,)),
    _p("IT band", r"it ?band|itb|iliotibial", (A.KNEE,), (S.RUNNING,)),
    _p("knee", r"knees?|osgood", (A.KNEE,)),
    # ------------------------------------------------------------------ lower back
    _p("sciatica", r"sciatic\w*", (A.LOWER_BACK,), (S.HINGE, S.SPINAL_FLEXION)),
    _p(
        "disc",
        r"(?:herniated|bulging|slipped|prolapsed) dis[ck]s?|dis[ck] (?:herniation|bulge|issue"
        r"|injury|problem|prolapse)s?|dis[ck]s?\b",
        (A.LOWER_BACK,),
        (S.SPINAL_FLEXION, S.AXIAL_LOADING, S.HINGE),
    ),
    _p("SI joint", r"si joint|sacroiliac|si pain", (A.LOWER_BACK,), (S.LUNGE,)),
    _p("spondylolysis", r"spondyl\w*|pars fracture", (A.LOWER_BACK,), (S.AXIAL_LOADING,)),
    _p(
        "lower back",
        r"lower[- ]back|low[- ]back|lumbar|lumbago"
        r"|back (?:pain|injury|injuries|issues?|problems?|spasms?|hurts?|aches?|is sore|strain)"
        r"|(?:bad|sore|stiff|achy|weak) back|(?:tweaked|hurt|strained|injured|pulled) (?:my )?back"
        r"|l[345](?:[-/ ]s1)?\b",
        (A.LOWER_BACK,),
    ),
    # ------------------------------------------------------------------ muscle strains
    # A strained muscle or tendon is spared loaded lengthening and fast stretch-shortening
    # work while it heals; concentric work in a mid range stays (docs/injuries.md, "Muscle
    # strains and tendinopathies": Heiderscheit et al. 2010; Askling et al. 2013; clinical
    # practice where marked there).
    _p(
        "hamstring strain",
        _hurt(r"hamstrings?|hammys?|hammies|biceps femoris"),
        (),
        (S.HINGE, S.FLOOR_PULL, S.HAMSTRING_LENGTHENING, S.JUMPING, S.RUNNING),
        body=True,
    ),
    _p(
        "groin strain",
        _hurt(r"groin|adductors?|inner thighs?"),
        (A.HIP,),
        (S.LUNGE, S.JUMPING, S.RUNNING),
    ),
    _p(
        "quadriceps tendon",
        r"quad(?:riceps)? tendon\w*",
        (A.KNEE,),
        (S.DEEP_KNEE_FLEXION, S.JUMPING, S.KNEELING),
    ),
    _p(
        "quad strain",
        _hurt(r"quads?|quadriceps|rectus femoris|thigh"),
        (),
        (S.KNEELING, S.LUNGE, S.JUMPING, S.RUNNING),
        body=True,
    ),
    _p(
        "calf or Achilles",
        r"achilles(?: tend\w*)?|" + _hurt(r"calf|calves|soleus|gastroc\w*"),
        (),
        (S.JUMPING, S.RUNNING),
        body=True,
    ),
    _p(
        "pec strain",
        _hurt(r"pecs?|pectorals?|pec major|chest muscles?|chest"),
        (),
        (S.FLY, S.DIPS, S.END_RANGE, S.WIDE_GRIP),
        body=True,
    ),
    _p(
        "lat or upper-back strain",
        _hurt(
            r"lats?|latissimus|upper back|mid[- ]?back|middle back|rhomboids?|traps?"
            r"|trapezius|rib muscles?|intercostals?"
        ),
        (),
        (S.HANGING, S.OVERHEAD, S.HINGE),
        body=True,
    ),
    _p(
        "biceps strain",
        _hurt(r"biceps?(?! femoris)|bicep tendon"),
        (),
        (S.SUPINATED, S.HANGING, S.END_RANGE),
        body=True,
    ),
    _p(
        "triceps strain",
        _hurt(r"triceps?"),
        (),
        (S.CLOSE_GRIP, S.DIPS, S.END_RANGE),
        body=True,
    ),
    _p(
        "abdominal strain or hernia",
        r"hernias?|" + _hurt(r"obliques?|abs|abdominals?|abdominal wall|core muscles?"),
        (),
        (S.SPINAL_FLEXION, S.AXIAL_LOADING, S.FLOOR_PULL),
        body=True,
    ),
    _p(
        "osteoporosis",
        r"osteopor\w*|osteopeni\w*|low bone density",
        (),
        (S.SPINAL_FLEXION, S.JUMPING),
        body=True,
    ),
    _p(
        "pregnancy",
        r"pregnan\w*|postpartum|post-partum|diastasis\w*",
        (),
        (S.SPINAL_FLEXION, S.JUMPING),
        body=True,
    ),
    # ------------------------------------------------------------------ hip
    _p(
        "hip pinch",
        r"(?:hip|groin)\W+(?:\w+\W+){0,3}?pinch\w*|pinch\w*\W+(?:\w+\W+){0,4}?(?:hip|groin)",
        (A.HIP,),
        (S.DEEP_HIP_FLEXION,),
    ),
    _p(
        "hip impingement",
        r"fai\b|femoroacetabular|hip impinge\w*|hip labr\w*|labral tear (?:in|of) (?:my |the )?hip",
        (A.HIP,),
        (S.DEEP_HIP_FLEXION,),
    ),
    _p("hip replacement", r"hip replacement|replaced hip", (A.HIP,), (S.DEEP_HIP_FLEXION,)),
    _p(
        "hip",
        r"hips?(?![- ](?:thrusts?|hinges?|bridges?))|groin|adductors?|hip flexors?|piriformis"
        r"|trochanter\w*|glute med\w*",
        (A.HIP,),
    ),
    # ------------------------------------------------------------------ other body parts
    # Outside the six areas: no area to restrict, but the movements that load them.
    _p(
        "ankle or foot",
        r"ankles?|achilles|plantar fasci\w*|shin splints|foot pain|sore feet|heel pain"
        r"|calf strain",
        (),
        (S.JUMPING, S.RUNNING),
        body=True,
    ),
    _p("neck", r"neck|cervical", (), (S.AXIAL_LOADING,), body=True),
    # Any other word of pain or injury: nothing to restrict that the table knows, but an
    # injury all the same, so the program gives the pain rule (pipeline.injuries.report).
    _p(
        "pain or injury",
        r"pain\w*|hurts?|hurting|sore(?:ness)?|strain\w*|sprain\w*|injur\w*|tendin\w*"
        r"|tendon\w*|tear|torn|tore|ruptur\w*|surgery|surgical|operat\w*|fractur\w*|broke"
        r"|arthriti\w*|osteoarthr\w*|aches?|ached|aching|flares?|tweak\w*|pinch\w*"
        r"|rehab\w*|dislocat\w*|sublux\w*",
        (),
        (),
        body=True,
    ),
    # ------------------------------------------------------------------ movements
    _p("close-grip pressing", r"close[- ]grip|narrow[- ]grip|diamond push", (), (S.CLOSE_GRIP,)),
    _p("wide grip", r"wide[- ]grip", (), (S.WIDE_GRIP,)),
    _p(
        "overhead work",
        r"overhead|over my head|above (?:my )?head|ohp|shoulder press\w*|military press\w*",
        (),
        (S.OVERHEAD,),
    ),
    _p("dips", r"dips?\b|dipping", (), (S.DIPS,)),
    _p(
        "end-range positions",
        r"end[- ]range|full stretch|deep stretch|bottom position",
        (),
        (S.END_RANGE,),
    ),
    _p(
        "deep knee bends",
        r"deep (?:squats?|squatting|knee bends?|knee flexion|flexion)|full depth|below parallel"
        r"|atg|(?:squats?|squatting) (?:deep|low|all the way down|to depth|ass to grass)",
        (),
        (S.DEEP_KNEE_FLEXION, S.DEEP_HIP_FLEXION),
    ),
    _p("deep hip flexion", r"deep hip flexion|hip flexion", (), (S.DEEP_HIP_FLEXION,)),
    _p("lunges", r"lunges?|lunging|split squats?|step[- ]ups?", (), (S.LUNGE,)),
    _p("squats", r"squats?|squatting", (), (S.SQUATTING,)),
    _p("kneeling", r"kneeling|kneel", (), (S.KNEELING,)),
    _p("deadlifts", r"deadlifts?|deadlifting|pulling from the floor", (), (S.FLOOR_PULL,)),
    _p("bending forward", r"bending (?:over|forward)|bent[- ]over|hinging", (), (S.HINGE,)),
    _p(
        "spinal loading", r"axial|spinal load\w*|compression|bar on my back", (), (S.AXIAL_LOADING,)
    ),
    _p("crunches", r"crunch\w*|sit[- ]?ups?", (), (S.SPINAL_FLEXION,)),
    _p("push-ups", r"push[- ]?ups?|press[- ]ups?", (), (S.PUSH_UP,)),
    _p("hanging", r"hanging|pull[- ]?ups?|chin[- ]?ups?", (), (S.HANGING,)),
    _p("gripping", r"gripping|grip strength|heavy grip|holding heavy", (), (S.GRIPPING,)),
    _p("curls", r"(?<!leg )(?<!nordic )curls?\b|curling", (), (S.SUPINATED,)),
    _p("flyes", r"fl(?:y|ies|yes)\b", (), (S.FLY,)),
    _p("jumping", r"jump\w*|plyo\w*|landing|impact|bounding|hopping", (), (S.JUMPING,)),
    _p("running", r"running|run\b|jogging|sprint\w*", (), (S.RUNNING,)),
)

# Words that cancel an AREA named within a few words after them ("no knee pain", "not my
# knee"). Before a movement they mean the opposite ("no lunges", "can't do dips"), so
# movements are only cancelled by a reassurance after them.
_NEGATOR = re.compile(
    r"(?:\b(?:no|not|never|without|none|nothing|free of|zero|denies)|n't)\b"
    r"(?:\W+\w+){0,3}\W*$"
)
# Words after a match that say it is not a problem ("knees are fine", "dips without pain").
_REASSURED = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:fine|ok|okay|healthy|healed|good|great|recovered|resolved"
    r"|no (?:pain|problems?|issues?)|without (?:any )?pain|pain[- ]free|not (?:a problem"
    r"|an issue)|never hurts?|free)\b"
)
_CLAUSES = re.compile(r"[.;!?,\n]+|\bbut\b|\bexcept\b|\bhowever\b")


@dataclass(frozen=True, slots=True)
class NoteFinding:
    """One phrase the note contains and what it implies."""

    phrase: str  # the label, e.g. "golfer's elbow"
    text: str  # the words as written in the note
    areas: frozenset[InjuryArea]
    stresses: frozenset[Stress]


def _matches(clause: str, phrases: list[Phrase], areas: bool) -> list[NoteFinding]:
    found: list[NoteFinding] = []
    covered: list[tuple[int, int]] = []
    for phrase in phrases:
        for m in phrase.pattern.finditer(clause):
            start, end = m.span()
            if any(s < end and start < e for s, e in covered):
                continue  # a more specific phrase already read these words
            covered.append((start, end))
            if _REASSURED.search(clause[end:]) or (areas and _NEGATOR.search(clause[:start])):
                continue
            found.append(NoteFinding(phrase.label, m.group(0), phrase.areas, phrase.stresses))
    return found


_AREA_PHRASES = [p for p in PHRASES if p.body]
_MOVEMENT_PHRASES = [p for p in PHRASES if not p.body]


def _clause_findings(clause: str, last_areas: frozenset[InjuryArea]) -> list[NoteFinding]:
    named = _matches(clause, _AREA_PHRASES, areas=True)
    moves = _matches(clause, _MOVEMENT_PHRASES, areas=False)
    # A movement belongs to the area named in its clause, else to the one named before.
    where = frozenset(a for f in named for a in f.areas) or last_areas
    return named + [NoteFinding(f.phrase, f.text, where, f.stresses) for f in moves]


def read_note(note: str) -> tuple[NoteFinding, ...]:
    """Every non-negated phrase of the note, in the order they appear."""
    findings: list[NoteFinding] = []
    last: frozenset[InjuryArea] = frozenset()
    for clause in _CLAUSES.split(note.lower().replace("’", "'")):
        clause_found = _clause_findings(clause, last)
        findings.extend(clause_found)  # table order within a clause: deterministic
        named = frozenset(a for f in clause_found for a in f.areas)
        if named:
            last = named
    return tuple(findings)
