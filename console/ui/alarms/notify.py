"""Desktop notifications for alarms, when the console's window is not in front.

``QSystemTrayIcon.showMessage`` where the desktop has a system tray; where it has none (and offscreen), the
notifier says so once in the log and stays quiet: the sound, the badge and the status bar still tell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from console.ui.events.style import cut

__all__ = ["DesktopNotifier"]

log = logging.getLogger(__name__)

SHOW_MS = 15_000


def _tray() -> Any:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        raise RuntimeError("the desktop has no system tray")
    icon = QApplication.windowIcon()
    tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon())
    tray.setToolTip("CVSecurity console")
    tray.show()
    return tray


_MARKUP = str.maketrans({"<": "‹", ">": "›", "&": "+"})


def _plain(text: str) -> str:
    """Some notification daemons read a subset of HTML in the body: server text must not be markup there."""
    return text.translate(_MARKUP)


class DesktopNotifier:
    """``notify(title, text, window)`` shows a desktop message unless ``window`` is the active window.

    ``tray_factory()`` makes the tray icon (tests pass a fake with ``showMessage``); made on first use.
    """

    def __init__(self, tray_factory: Callable[[], Any] | None = None) -> None:
        self._factory = tray_factory or _tray
        self._tray: Any = None
        self._failed = False
        self.sent = 0

    def notify(self, title: str, text: str, window: QWidget | None = None) -> bool:
        """True when a message was shown."""
        if window is not None and window.isActiveWindow():
            return False
        if self._tray is None and not self._failed:
            try:
                self._tray = self._factory()
            except Exception as exc:
                log.info("desktop notifications are not available (%s)", exc)
                self._failed = True
        if self._tray is None:
            return False
        try:
            self._tray.showMessage(_plain(cut(title, 80)), _plain(cut(text, 300)),
                                   QSystemTrayIcon.MessageIcon.Critical, SHOW_MS)
        except Exception as exc:
            log.warning("a desktop notification failed (%s); no more will be tried", exc)
            self._failed, self._tray = True, None
            return False
        self.sent += 1
        return True

    def close(self) -> None:
        tray, self._tray = self._tray, None
        if tray is not None and hasattr(tray, "hide"):
            tray.hide()
