"""Injuries that matter: the joint review, the injury-note phrase model, restrictions.

Other stages call ``restrictions(profile)`` and ``allowed(exercise, restrictions)`` (or
simply ``catalog.available``, which applies them); ``pipeline.injuries.report`` says in
the program what changed for each injury. docs/injuries.md documents the model.
"""

from programgen.pipeline.injuries.restrictions import (
    Restrictions,
    allowed,
    restrictions,
    tier,
    tighten,
)
from programgen.pipeline.injuries.review import Stress

__all__ = ["Restrictions", "Stress", "allowed", "restrictions", "tier", "tighten"]
