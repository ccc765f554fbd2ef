"""Qt's own chatter that does not concern the operator, silenced at the source (before QApplication exists).

- Qt Multimedia probes optional libraries (PipeWire, VA-API) at start and logs each one it does not find
  (``qt.multimedia.symbolsresolver: Couldn't load pipewire-0.3 library``): a logging rule turns that category off,
  added to whatever ``QT_LOGGING_RULES`` the user set (theirs come last and win).
- Platform plugins without window-manager hints (offscreen) warn "This plugin does not support
  propagateSizeHints()" on every dock layout: a message handler drops exactly that text; every other Qt message
  goes where it went before. The same handler drops Qt Multimedia's FFmpeg banner, and PulseAudio's "no sound
  server" (the console logs "the alarm sound is not available ... alarms are silent" itself).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["IGNORED_MESSAGES", "QUIET_RULES", "silence_irrelevant_qt_messages"]

QUIET_RULES = "qt.multimedia.symbolsresolver=false"
IGNORED_MESSAGES = ("This plugin does not support propagateSizeHints()",)
IGNORED_PREFIXES = (
    "Using Qt multimedia with FFmpeg version",  # a banner at the first use of Qt Multimedia
    # no sound server (a headless desk, CI): the console says it once in its own words ("alarms are silent")
    "PulseAudioService: pa_context_connect() failed",
)

_installed = False


def silence_irrelevant_qt_messages() -> None:
    global _installed
    rules = os.environ.get("QT_LOGGING_RULES", "")
    if QUIET_RULES not in rules:
        os.environ["QT_LOGGING_RULES"] = ";".join(r for r in (QUIET_RULES, rules) if r)
    if _installed:
        return
    _installed = True
    previous: Any = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message in IGNORED_MESSAGES or message.startswith(IGNORED_PREFIXES):
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            os.write(2, (message + "\n").encode("utf-8", "replace"))

    previous = qInstallMessageHandler(handler)
