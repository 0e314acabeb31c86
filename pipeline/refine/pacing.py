"""How the retry loop waits between attempts; injectable so tests are deterministic and
instant (a recorded sleep, a seeded random source, a fixed wall clock)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# A server asking us to come back later than this is not waited for: we fall back at once
# (waiting minutes inside one generation helps nobody; the engine's program is good).
RETRY_AFTER_CAP_S = 30.0


@dataclass(frozen=True)
class Pacing:
    sleep: Sleep = asyncio.sleep
    rng: random.Random | None = None  # None: a fresh unseeded one per refinement
    clock: Clock = time.time  # the wall clock, for a Retry-After given as an HTTP date
    retry_after_cap_s: float = RETRY_AFTER_CAP_S
