"""Tokens: in the keyring when there is one, in memory (said plainly) when there is none."""

from __future__ import annotations

import threading

import keyring.backend
import keyring.errors
from keyring.backends import fail, null

from console.services.secrets import NO_KEYRING_NOTICE, SERVICE, TokenStore

TOKEN = "tok-7f3a9c2e11"


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.threads: set[int] = set()

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.add(threading.get_ident())
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.add(threading.get_ident())
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.threads.add(threading.get_ident())
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not there")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


async def test_the_keyring_keeps_the_token_between_sessions() -> None:
    backend = MemoryKeyring()
    result = await TokenStore(backend).set("HQ", TOKEN)
    assert result.persisted
    assert backend.store == {(SERVICE, "HQ"): TOKEN}
    later = TokenStore(backend)  # a new console process
    assert await later.get("HQ") == TOKEN
    assert later.notice is None
    assert threading.get_ident() not in backend.threads  # never on the caller's (GUI) thread


async def test_delete_and_rename() -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    await store.set("Old", TOKEN)
    await store.rename("Old", "New")
    assert backend.store == {(SERVICE, "New"): TOKEN}
    await store.delete("New")
    await store.delete("never stored")  # not an error
    assert backend.store == {}
    assert await TokenStore(backend).get("New") is None


async def test_no_keyring_keeps_the_token_for_the_session_and_says_so() -> None:
    store = TokenStore(fail.Keyring())
    result = await store.set("HQ", TOKEN)
    assert not result.persisted
    assert result.message == NO_KEYRING_NOTICE == "no keyring: the token is kept for this session only"
    assert store.notice == NO_KEYRING_NOTICE
    assert await store.get("HQ") == TOKEN
    assert await TokenStore(fail.Keyring()).get("HQ") is None


async def test_a_locked_keyring_is_no_keyring_too() -> None:
    store = TokenStore(LockedKeyring())
    assert await store.get("HQ") is None
    assert store.notice == NO_KEYRING_NOTICE
    assert not (await store.set("HQ", TOKEN)).persisted
    assert await store.get("HQ") == TOKEN


async def test_a_keyring_that_forgets_is_detected() -> None:
    store = TokenStore(null.Keyring())  # accepts every token and keeps none
    result = await store.set("HQ", TOKEN)
    assert not result.persisted
    assert store.notice == NO_KEYRING_NOTICE


async def test_remember_is_memory_only_and_the_repr_shows_no_token() -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    store.remember("Demo", TOKEN)
    assert await store.get("Demo") == TOKEN
    assert backend.store == {}
    assert TOKEN not in repr(store)
