"""A faster answer to PySide6's question "does this module use PySide6?", asked at every import.

PySide6's ``__feature__`` support (``shibokensupport.feature``) hooks ``__import__`` and, for every module
imported after PySide6, reads the module's whole source through ``inspect.getsource`` (``linecache``: every
source file is kept in memory for the rest of the run) to search it for the word ``PySide6``. At the console's
start that is ~170 modules before the window paints and ~390 by the time every panel is up (issue 15, "a
window in a blink"). :func:`install` asks the same question of the module's file bytes (no decoding, no
linecache): half the cost (390 modules: 150-190 -> 75-115 ms of CPU on the loaded 2-core machine); anything
else (no ``.py`` file, unreadable) is left to PySide6's own check. Same answers, so features (``snake_case``,
``true_property``) work as before.

Importing this module loads PySide6 and installs the faster check (``console.ui.app`` imports it before
anything else); if a later PySide6 no longer has the hook, :func:`install` does nothing and says so (False).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import PySide6.QtCore  # noqa: F401 - loads shibokensupport.feature: the check to replace

__all__ = ["install", "uses_pyside"]

_MARK = "_console_fast_check"


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether the source of ``module`` names PySide6 (``fallback`` when it has no readable ``.py`` file)."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            pass
    return fallback(module)


def install() -> bool:
    """Replace PySide6's per-import source check with :func:`uses_pyside`; True when it is in place."""
    feature: Any = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True

    def check(module: ModuleType) -> bool:
        return uses_pyside(module, original)

    setattr(check, _MARK, True)
    feature._mod_uses_pyside = check
    return True


install()
