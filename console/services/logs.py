"""Logging for the whole console: rotating files in the log directory, tokens masked in every line.

Two guards, both on the handlers so that every logger (ours, httpx, qasync, uvicorn) passes them:
:class:`console.api.redact.RedactingFilter` masks ``access_token=...`` in messages, and
:class:`RedactingFormatter` masks every registered secret (the session's token text) in the final line,
traceback included. :func:`redact` applies the same masking to text shown to a person (error dialogs).
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from console.api.redact import RedactingFilter, redact_text

__all__ = [
    "LOG_FILE",
    "RedactingFormatter",
    "forget_secret",
    "redact",
    "register_secret",
    "setup_logging",
    "shutdown_logging",
]

LOG_FILE = "console.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_secrets: set[str] = set()
_lock = threading.Lock()
_handlers: list[logging.Handler] = []
_saved_levels: dict[str, int] = {}


def register_secret(secret: str) -> None:
    """Mask ``secret`` wherever it would appear in a log line or a text passed to :func:`redact`."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def forget_secret(secret: str) -> None:
    with _lock:
        _secrets.discard(secret)


def redact(text: str) -> str:
    """``text`` with token parameters and every registered secret masked."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)  # longest first: a secret may contain another
    return redact_text(text, *secrets)


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the fully formatted record: message, arguments and traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_dir: Path | None, *, level: int = logging.INFO, stderr: bool = True) -> Path | None:
    """Install the console's handlers on the root logger (replacing ours from an earlier call).

    Returns the log file's path, or None when ``log_dir`` is None (stderr only).
    """
    shutdown_logging()
    root = logging.getLogger()
    _saved_levels[""] = root.level
    root.setLevel(level)
    formatter = RedactingFormatter(FORMAT)
    path: Path | None = None
    if log_dir is not None:
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = log_dir / LOG_FILE
        from console.services.log_files import PrivateRotatingFileHandler  # logging.handlers: not at start

        file_handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False
        )
        _handlers.append(file_handler)
    if stderr and sys.stderr is not None:  # a windowed bundle may have no stderr at all
        terminal = logging.StreamHandler(sys.stderr)
        terminal.setLevel(logging.WARNING if path is not None else level)  # the file has the details
        _handlers.append(terminal)
    for handler in _handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    # third-party chatter that would otherwise fill the file (httpx is also kept quiet by the client)
    for name in ("httpx", "httpcore", "asyncio", "qasync"):
        lib = logging.getLogger(name)
        _saved_levels[name] = lib.level
        lib.setLevel(max(level, logging.WARNING))
    return path


def shutdown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed (tests, and the end of the process)."""
    root = logging.getLogger()
    while _handlers:
        handler = _handlers.pop()
        root.removeHandler(handler)
        handler.close()
    for name, level in _saved_levels.items():
        logging.getLogger(name or None).setLevel(level)
    _saved_levels.clear()
