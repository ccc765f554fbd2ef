"""PySide6's hook on every import, taken out (or, where it cannot be, its check made faster).

PySide6's ``__feature__`` support (``shibokensupport.feature``) hooks ``__import__`` and, for every module
imported after PySide6, reads the module's whole source through ``inspect.getsource`` (``linecache``: every
source file is kept in memory for the rest of the run) to search it for the word ``PySide6``. At the console's
start that is ~170 modules before the window paints and ~390 by the time every panel is up (issue 15, "a
window in a blink"). :func:`install` asks the same question of the module's file bytes (no decoding, no
linecache): half the cost (390 modules: 150-190 -> 75-115 ms of CPU on the loaded 2-core machine); anything
else (no ``.py`` file, unreadable) is left to PySide6's own check. Same answers, so features (``snake_case``,
``true_property``) work as before.

The hook serves ``from __feature__ import snake_case, true_property`` (PySide6's per-module choice of
Python-style names), which the console does not use. Even with the faster check it cost every import statement
~2 us of Python and every new module a read of its file (~1,000 statements and ~450 modules by the first fresh
tile: ~20 ms). So :func:`install` puts back the import PySide6 wrapped (``builtins.__orig_import__``, its lazy
loading of Qt classes, which stays): imports cost what they cost without the hook. A ``from __feature__
import ...`` would still import but select nothing: the console's code never uses it (a test checks). Where a
PySide6 has no such original to put back, the faster check is installed instead.

Importing this module loads PySide6 and installs (``console.ui.launch`` and ``console.ui.app`` import it before
anything else); if a later PySide6 has neither, :func:`install` does nothing and says so (False).
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import PySide6.QtCore  # noqa: F401 - loads shibokensupport.feature: the check to replace

__all__ = ["install", "unhook", "uses_pyside"]

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


def unhook() -> bool:
    """Put back the import PySide6's ``__feature__`` hook wraps; True when the hook is out (now or before)."""
    original = getattr(builtins, "__orig_import__", None)
    if original is None or not callable(original):
        return False
    if getattr(builtins.__import__, "__name__", "") == "__feature_import__":
        builtins.__import__ = original
    return builtins.__import__ is original


def install() -> bool:
    """Take PySide6's import hook out (:func:`unhook`), else replace its per-import source check with
    :func:`uses_pyside`; True when either is in place."""
    if unhook():
        return True
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
