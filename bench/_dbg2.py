import random, sys
from bench.pipeline_bench import random_profile
from bench.quality import NOTES
from programgen.pipeline.validation import validate_profile
from programgen.pipeline.catalog import available, Category
from programgen.pipeline.splits import choose_split
from programgen.pipeline.goal_rules import anchor_ok
rng = random.Random(20261201)
target = int(sys.argv[1])
for k in range(target + 1):
    raw = random_profile(rng); raw["injury_note"] = rng.choice(NOTES)
p = validate_profile(raw)
from programgen.pipeline.injuries import restrictions
print(p.injuries)
sp = choose_split(p)
print(sp.name, [(d.focus, [m.value for m in d.muscles]) for d in sp.days])
av = [e for e in available(p) if e.category is Category.STRENGTH]
print("anchors", [(e.id, e.primary.value) for e in av if anchor_ok(e)])
print("compounds", [(e.id, e.primary.value) for e in av if e.compound])
print("legs avail", [(e.id, e.primary.value, e.compound) for e in av if e.primary.value in ("quads","hamstrings","glutes")])
from programgen.pipeline.catalog import CATALOG, is_available
from programgen.pipeline.injuries import review
for e in CATALOG.values():
    if e.primary.value in ("quads","hamstrings","glutes") and e.compound and e.category is Category.STRENGTH and all(q.value in raw["equipment"] or q.value=="bodyweight" for q in e.equipment):
        print("  ", e.id, [ (a.value, str(review.verdict(e.id, a)) if hasattr(review,'verdict') else '') for a in p.injuries])
