"""Crash reports: what went wrong, written to the data directory, offered for support on the next start.

:func:`write_report` puts one text file under ``<data>/crash-reports/``: the traceback, the versions
(:func:`versions`, given by the caller: the UI knows Qt's), and the last lines of the log file, every part
passed through :func:`console.services.logs.redact` so the access token cannot leak into a file the operator
e-mails to support. :func:`pending` lists the reports not yet offered; :func:`mark_offered` renames one so it
is offered once. No Qt here: the UI decides how to offer (console/ui/about.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import console
from console.services.logs import redact
from console.services.paths import private_dir

__all__ = ["CRASH_DIR", "base_versions", "mark_offered", "pending", "save_copy", "write_report"]

CRASH_DIR = "crash-reports"
LOG_TAIL_LINES = 80
MAX_REPORTS = 20  # the oldest are removed beyond this: a crash loop must not fill the disk
_OFFERED = ".offered"


def base_versions() -> dict[str, str]:
    """The console's, Python's and the OS's versions (the UI adds Qt's)."""
    import platform  # here: not with the console's start (~2 ms)

    return {
        "console": console.__version__,
        "python": platform.python_version(),
        "os": platform.platform(),
        "frozen": "yes (packaged build)" if getattr(sys, "frozen", False) else "no (from source)",
    }


def _log_tail(log_file: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    if log_file is None or not log_file.is_file():
        return "(no log file)"
    try:
        with log_file.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(the log file could not be read: {exc})"
    return "\n".join(data.splitlines()[-lines:])


def write_report(
    data_dir: Path,
    exc: tuple[type[BaseException], BaseException, TracebackType | None],
    *,
    context: str = "an unexpected error",
    versions: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write a report of ``exc`` and return its path (raises ``OSError`` if the folder is not writable)."""
    folder = data_dir / CRASH_DIR
    private_dir(folder)
    when = now or dt.datetime.now().astimezone()
    stamp = when.strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.txt"
    kind, value, tb = exc
    parts = [
        "CVSecurity console crash report",
        f"time: {when.isoformat(timespec='seconds')}",
        f"what: {context}",
        "",
        "== versions",
        *(f"{key}: {val}" for key, val in {**base_versions(), **(versions or {})}.items()),
        "",
        "== traceback",
        "".join(traceback.format_exception(kind, value, tb)).rstrip(),
        "",
        f"== last {LOG_TAIL_LINES} log lines ({log_file or 'no log file'})",
        _log_tail(log_file),
        "",
    ]
    text = redact("\n".join(parts))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    _prune(folder)
    return path


def _prune(folder: Path) -> None:
    reports = sorted(folder.glob("crash-*.txt"))
    for old in reports[:-MAX_REPORTS]:
        with contextlib.suppress(OSError):
            old.unlink()


def pending(data_dir: Path) -> list[Path]:
    """The reports not offered yet, oldest first."""
    folder = data_dir / CRASH_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("crash-*.txt") if not p.name.endswith(f"{_OFFERED}.txt"))


def mark_offered(report: Path) -> Path:
    """Rename ``report`` so that it is not offered again (it stays in the folder for support)."""
    target = report.with_name(f"{report.stem}{_OFFERED}.txt")
    with contextlib.suppress(OSError):
        report.rename(target)
        return target
    return report


def save_copy(report: Path, destination: Path) -> Path:
    """Copy ``report`` to where the operator chose (for support); returns the destination."""
    shutil.copyfile(report, destination)
    return destination
