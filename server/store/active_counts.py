"""How many active (pending or processing) generations each owner has: the per-caller cap.

Counting them in the store costs a scan of the owner's active rows, so with a backlog of
thousands the count was the most expensive statement of a start's group commit (1.2 ms
per group at 8,000 pending rows, against 1.0 ms for inserting the group's rows). Two
ways to know the number:

- ``Counted``: ask the store every time. Replicas on PostgreSQL share the rows, so only
  the store knows; the owner's advisory lock makes count-then-insert one step
  (writes.lock_owners).
- ``KeptCounts``: the store's only writer counts as it writes. SQLite has one writer
  thread (store/group_commit.py), and a second server refuses to open the same file
  (store/database.py, ``sole_user``), so every change of a status passes through it (the
  CLI's commands beside a running server write API keys and migrations, never a
  generation's status). It
  reads an owner's count from the store once, then follows it by the changes it applies;
  the changes of a transaction count only once it commits, and a rolled-back one makes it
  read the store again.

A change counts +1 when it makes a row active and -1 when it ends an active row; every
edge of the lifecycle starts either from active statuses only or from finished ones only
(server/lifecycle.py, ``STATE_TABLE``), so a change's expected statuses say which.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, bindparam, func, select

from programgen.server.records import ACTIVE, GenerationStatus
from programgen.server.store.schema import generations

ACTIVE_COUNTS = (
    select(generations.c.owner, func.count())
    .where(
        generations.c.owner.in_(bindparam("owners", expanding=True)),
        generations.c.status.in_(sorted(ACTIVE)),
    )
    .group_by(generations.c.owner)
)


def delta(to: GenerationStatus, expect: tuple[GenerationStatus, ...]) -> int | None:
    """How a change from one of ``expect`` to ``to`` moves its owner's count; None when
    ``expect`` mixes active and finished statuses (then only the store knows)."""
    was = {s in ACTIVE for s in expect}
    if len(was) != 1:
        return None
    return int(to in ACTIVE) - int(was.pop())


def _count(conn: Connection, owners: list[str]) -> dict[str, int]:
    found = {owner: count for owner, count in conn.execute(ACTIVE_COUNTS, {"owners": owners})}
    return {owner: int(found.get(owner, 0)) for owner in owners}


class Counted:
    """Every count read from the store, inside the writing transaction."""

    def active(self, conn: Connection, owners: list[str]) -> dict[str, int]:
        return _count(conn, owners)

    def changed(self, owner: str, by: int | None) -> None:
        """The store sees the change itself."""

    def committed(self) -> None:
        """Nothing kept."""

    def rolled_back(self) -> None:
        """Nothing kept."""


class KeptCounts(Counted):
    """The sole writer's counts, followed change by change (see the module's doc)."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}
        self._pending: Counter[str] = Counter()  # the open transaction's changes
        self._unknown: set[str] = set()  # owners whose change did not say its direction

    def active(self, conn: Connection, owners: list[str]) -> dict[str, int]:
        missing = [o for o in owners if o not in self._known or o in self._unknown]
        if missing:
            # Read inside the transaction: it already includes its own changes.
            for owner, count in _count(conn, missing).items():
                self._known[owner] = count - self._pending[owner]
        return {o: self._known[o] + self._pending[o] for o in owners}

    def changed(self, owner: str, by: int | None) -> None:
        if by is None:
            self._unknown.add(owner)
        else:
            self._pending[owner] += by

    def committed(self) -> None:
        for owner, by in self._pending.items():
            if owner in self._known:
                self._known[owner] += by
        for owner in self._unknown:
            self._known.pop(owner, None)
        self._pending.clear()
        self._unknown.clear()

    def rolled_back(self) -> None:
        # Nothing of it was written; forget everything anyway, so that even a commit
        # that failed after writing is never miscounted: the next groups read afresh.
        self._known.clear()
        self._pending.clear()
        self._unknown.clear()
