import random, sys
from bench.pipeline_bench import random_profile
from bench.quality import NOTES, assess
from programgen.pipeline.validation import validate_profile
from programgen.pipeline import stages
rng = random.Random(20261201)
want = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
shown = 0
for k in range(n):
    raw = random_profile(rng); raw["injury_note"] = rng.choice(NOTES)
    o = assess(raw)
    if want in o.rules:
        print(k, raw)
        print(o.error)
        for v in o.violations[:6]: print("  ", v.rule, v.field, v.description)
        shown += 1
        if shown >= 3: break
