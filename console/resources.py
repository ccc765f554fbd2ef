"""Run-time access to the top-level ``resources/`` folder (styles, icons, sounds, translations).

The folder lives beside the ``console`` package in a checkout, is copied as ``resources/`` into the
PyInstaller bundle (``packaging/console.spec``) and ships in the wheel as the package ``console._resources``
(``package-dir`` in ``pyproject.toml``). :func:`root` finds it in any of these places:

1. a frozen bundle: ``sys._MEIPASS/resources`` (PyInstaller's data directory);
2. ``CVSEC_RESOURCES``, when set (a packager's override);
3. an installed wheel (``pip install .``): ``console/_resources`` inside the installed package;
4. a checkout or an editable install: ``<repo>/resources`` next to the package.

Text is read as UTF-8; a missing resource raises ``FileNotFoundError`` naming what was looked for.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

__all__ = ["path", "read_bytes", "read_text", "root"]

_MARKER = "styles"  # a folder every copy of resources/ has


def _candidates() -> list[Path]:
    out: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        out.append(Path(bundle) / "resources")
    override = os.environ.get("CVSEC_RESOURCES", "").strip()
    if override:
        out.append(Path(override))
    # the package's own folder, not importlib.resources (~4 ms of imports before the first paint, issue 15);
    # a package inside a zip has neither folder: the marker check passes over both
    package = Path(__file__).resolve().parent
    out.append(package / "_resources")  # an installed wheel
    out.append(package.parent / "resources")  # a checkout or an editable install
    return out


@cache
def root() -> Path:
    """The resources folder; ``FileNotFoundError`` when no candidate has one."""
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / _MARKER).is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"the console's resources folder was not found (looked in {looked})")


def path(*parts: str) -> Path:
    """The path of a resource, e.g. ``path("styles", "console.qss")``; it must exist."""
    base = root()
    target = base.joinpath(*parts).resolve()
    if base.resolve() not in target.parents:
        raise ValueError(f"{'/'.join(parts)!r} is outside the resources folder")
    if not target.exists():
        raise FileNotFoundError(f"resource {'/'.join(parts)} is missing from {base}")
    return target


def read_text(*parts: str) -> str:
    return path(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return path(*parts).read_bytes()
