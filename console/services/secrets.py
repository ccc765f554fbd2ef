"""Access tokens, one per profile, in the OS keyring; in memory only when there is no usable keyring.

Every keyring call runs off the caller's thread (``asyncio.to_thread``): the Secret Service answers over
D-Bus and may block, and a locked keyring may wait for the user. When the keyring is missing
(``NoKeyringError``), locked (``KeyringLocked``) or silently keeps nothing (the ``null`` backend), the token
is kept in this process's memory for the session and :attr:`TokenStore.notice` says so plainly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = ["NO_KEYRING_NOTICE", "SERVICE", "StoreResult", "TokenStore"]

log = logging.getLogger(__name__)

SERVICE = "cvsecurity-console"
NO_KEYRING_NOTICE = "no keyring: the token is kept for this session only"


@dataclass(frozen=True)
class StoreResult:
    persisted: bool  # True: in the OS keyring; False: in memory for this session only
    message: str  # what to tell the operator


def _errors() -> ModuleType:
    """``keyring.errors``, imported on first use: keyring loads its backends' entry points (~45 ms), which the
    window's first paint does not wait for (issue 15)."""
    import keyring.errors

    return keyring.errors


class TokenStore:
    """``await get(profile)``, ``await set(profile, token)``, ``await delete(profile)``.

    ``backend`` is a keyring backend object (tests pass an in-memory one); by default the one keyring picks.
    """

    def __init__(self, backend: Any | None = None, *, service: str = SERVICE) -> None:
        self._backend = backend
        self._service = service
        self._memory: dict[str, str] = {}
        self.notice: str | None = None  # set once the keyring turned out unusable

    def __repr__(self) -> str:  # never the tokens
        return f"<TokenStore {self._service} ({len(self._memory)} in memory)>"

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def _unusable(self, exc: BaseException) -> None:
        if isinstance(exc, _errors().KeyringLocked):
            reason = "the keyring is locked"
        elif isinstance(exc, _errors().NoKeyringError):
            reason = "no keyring backend is available"
        else:
            reason = f"the keyring failed ({type(exc).__name__})"
        if self.notice is None:
            log.warning("%s: tokens are kept in memory for this session only", reason)
        self.notice = NO_KEYRING_NOTICE

    async def get(self, profile: str) -> str | None:
        """The token for ``profile``: from this session's memory, else from the keyring, else None."""
        if profile in self._memory:
            return self._memory[profile]
        try:
            token = await self._run(self._keyring().get_password, self._service, profile)
        except _errors().KeyringError as exc:
            self._unusable(exc)
            return None
        if isinstance(token, str) and token:
            self._memory[profile] = token
            return token
        return None

    async def set(self, profile: str, token: str) -> StoreResult:
        """Keep ``token`` for ``profile``: in the keyring when it works (checked by reading it back)."""
        if not token:
            raise ValueError("an empty token cannot be stored")
        self._memory[profile] = token
        backend = self._keyring()
        try:
            await self._run(backend.set_password, self._service, profile, token)
            kept = await self._run(backend.get_password, self._service, profile)
        except (_errors().KeyringError, ValueError) as exc:  # ValueError: Windows size cap
            self._unusable(exc)
            return StoreResult(False, NO_KEYRING_NOTICE)
        if kept != token:  # the null backend accepts and forgets
            self._unusable(_errors().NoKeyringError())
            return StoreResult(False, NO_KEYRING_NOTICE)
        return StoreResult(True, "the token is kept in the system keyring")

    async def delete(self, profile: str) -> None:
        """Forget the token of ``profile`` everywhere; a token that was never stored is not an error."""
        self._memory.pop(profile, None)
        try:
            await self._run(self._keyring().delete_password, self._service, profile)
        except _errors().PasswordDeleteError:
            pass
        except _errors().KeyringError as exc:
            self._unusable(exc)

    async def rename(self, old: str, new: str) -> None:
        """Move a token when its profile is renamed."""
        if old == new:
            return
        token = await self.get(old)
        if token:
            await self.set(new, token)
            await self.delete(old)

    def remember(self, profile: str, token: str) -> None:
        """Keep ``token`` in memory only (``CVSEC_TOKEN``, demo mode): never written to the keyring."""
        self._memory[profile] = token
