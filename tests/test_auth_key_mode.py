"""The anonymous mode's re-read of the store: bounded by ``recheck_s`` for a key another
process creates, at once for a key created through the server's own repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from programgen.server.auth import ANONYMOUS, Authenticator, create_key
from programgen.server.errors import ServiceError
from programgen.server.store.database import create_engine, migrate
from programgen.server.store.repository import Repository


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _store(tmp_path: Path) -> tuple[Repository, Repository]:
    """The server's repository and another process's, on one SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    engines = [create_engine(url), create_engine(url)]
    await migrate(engines[0])
    return Repository(engines[0]), Repository(engines[1])


async def test_a_key_from_another_process_ends_anonymous_mode_within_the_bound(
    tmp_path: Path,
) -> None:
    server_repo, other = await _store(tmp_path)
    clock = Clock()
    auth = Authenticator(server_repo, anonymous=True, recheck_s=1.0, clock=clock)
    assert (await auth.caller(None)).id == ANONYMOUS
    await create_key(other, "alice", "standard")
    clock.now += 0.5
    assert (await auth.caller(None)).id == ANONYMOUS  # not re-read yet: inside the bound
    clock.now += 0.5
    with pytest.raises(ServiceError) as error:
        await auth.caller(None)
    assert error.value.reason == "UNAUTHENTICATED"
    assert not auth.anonymous
    for repo in (server_repo, other):
        repo.close()


async def test_a_key_through_the_servers_repository_ends_anonymous_mode_at_once(
    tmp_path: Path,
) -> None:
    server_repo, other = await _store(tmp_path)
    clock = Clock()
    auth = Authenticator(server_repo, anonymous=True, recheck_s=1.0, clock=clock)
    assert (await auth.caller(None)).id == ANONYMOUS
    _key_id, key = await create_key(server_repo, "alice", "standard")
    with pytest.raises(ServiceError):
        await auth.caller(None)
    caller = await auth.caller((("authorization", f"Bearer {key}"),))
    assert caller.id == "alice"
    for repo in (server_repo, other):
        repo.close()
