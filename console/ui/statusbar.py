"""The status bar a guard reads from across the desk: connection state, last good poll, problems.

Everything is said in words (and a symbol); colour only repeats it. The bar follows a session through
:meth:`StatusBar.bind_session` (its ``health_changed`` signal, plus a one-second tick for the age of the last
poll) and the doors panel through :meth:`StatusBar.set_summary` (connected to ``summary_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QStatusBar, QWidget

from console.services.files import storage_trouble
from console.services.health import Health
from console.services.logs import redact
from console.ui import theme
from console.ui.elided import ElidedLabel
from console.ui.text import tooltip

if TYPE_CHECKING:  # the session comes with the connection (its module and imports after the first paint)
    from console.services.profile import Profile
    from console.services.session import Session

__all__ = ["StatusBar", "describe_summary"]

_HEALTH_TEXT = {
    Health.CONNECTING: "◌ Connecting…",
    Health.ONLINE: "● Online",
    Health.DEGRADED: "◐ Degraded: retrying",
    Health.OFFLINE: "✕ Offline: reconnecting",
}
TOKEN_REFUSED_TEXT = "✕ Access token refused: polling stopped, enter a new token"  # noqa: S105 (words)


UNENCRYPTED = "⚠ Unencrypted (plain HTTP)"
NOT_VERIFIED = "⚠ Certificate not verified"
SECURITY_TIPS = {
    UNENCRYPTED: "This connection uses plain HTTP to another machine: the access token, names and door commands "
                 "cross the network readable by anyone on it. Use https:// (and pin the certificate if it is "
                 "self-signed).",
    NOT_VERIFIED: "Certificate verification is switched off for this connection: another machine could pretend to "
                  "be the server. Pin the server's certificate instead (Console > Connections…).",
}


AUDIT_ATTENTION = "⚠ Audit log needs attention"
AUDIT_NOT_WRITABLE = "⚠ Audit log cannot be written"


class AuditState(Protocol):
    """What the audit mark reads of the audit log (``console.services.audit.AuditLog``)."""

    @property
    def failing(self) -> str | None: ...  # the last write failed

    @property
    def problem(self) -> str | None: ...  # what the start found: chain broken, file missing or set aside


def audit_mark(audit: AuditState | None) -> tuple[str, str | None]:
    """The permanent audit mark and its full text: a write failing first, then what the start found."""
    if audit is None:
        return "", None
    if audit.failing:
        return AUDIT_NOT_WRITABLE, audit.failing
    if audit.problem:
        return AUDIT_ATTENTION, audit.problem
    return "", None


def storage_mark(words: str | None) -> str:
    """The mark for ``files.storage_trouble()`` ("the data folder X is full"), or ""."""
    if not words:
        return ""
    for state in ("full", "read-only"):
        if words.endswith(f" is {state}"):
            return f"⚠ Data folder {state}"
    return "⚠ Data folder not writable"


def security_warning(profile: Profile) -> str:
    """The permanent mark a connection deserves: plain HTTP off this machine, or verification switched off."""
    if profile.unencrypted:
        return UNENCRYPTED
    if profile.url.lower().startswith("https") and not profile.verify_tls and not profile.pinned_cert:
        return NOT_VERIFIED
    return ""


def _count(summary: Any, name: str) -> int:
    value = getattr(summary, name, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def describe_summary(summary: Any) -> tuple[str, str]:
    """(text, level) for a ``BoardSummary``: level is ``ok``, ``warn`` or ``alarm``."""
    doors, gates = _count(summary, "doors"), _count(summary, "gates")
    offline, alarm = _count(summary, "offline"), _count(summary, "alarm")
    open_long, stale = _count(summary, "open_too_long"), _count(summary, "stale")
    maintenance, acknowledged = _count(summary, "maintenance"), _count(summary, "acknowledged")
    parts = []
    if alarm:  # the tiles in alarm, and how many of them an operator has acknowledged (as the tiles say)
        parts.append(f"⚠ {alarm} in alarm" + (f" ({acknowledged} acknowledged)" if acknowledged else ""))
    if offline:
        parts.append(f"✕ {offline} offline")
    if open_long:
        parts.append(f"⏱ {open_long} open too long")
    if stale:
        parts.append(f"{stale} stale")
    if maintenance:
        parts.append(f"{maintenance} maintenance")
    total = f"{doors} door{'s' if doors != 1 else ''}, {gates} gate{'s' if gates != 1 else ''}"
    if not parts:
        return f"✓ {total}: no problems", "ok"
    level = "alarm" if alarm or offline else "warn"
    return f"{total}: " + " · ".join(parts), level


ITEM_SPACING = 6  # QStatusBar's own between its items


def _row(left: list[tuple[QWidget, int]], right: list[tuple[QWidget, int]]) -> QWidget:
    """The labels (with their stretch) side by side, ``left`` then ``right``, as QStatusBar lays out its items
    and its permanent ones."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(ITEM_SPACING)
    for label, stretch in left:
        layout.addWidget(label, stretch)
    layout.addStretch(0)
    for label, stretch in right:
        layout.addWidget(label, stretch)
    return row


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(True)
        # a changed state's colour is read again from the stylesheet once per turn of the loop, after the paint
        # that turn owes (the first poll's: the board's first tiles come before the style is asked for)
        self._to_restyle: list[QWidget] = []
        self._restyle_timer = QTimer(self)
        self._restyle_timer.setSingleShot(True)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self._restyle_now)
        self.health_badge = self._label("healthBadge")
        self.health_badge.keep_whole = True  # the connection state is never cut, whatever the width
        self.last_poll = self._label("lastPoll")
        self.problems = self._label("problems")
        self.alarms = self._label("alarmCount")
        self.outbox = self._label("outbox")
        self.profile_label = self._label("profileLabel")
        self.security = self._label("securityMark")  # "unencrypted" / "certificate not verified": always shown
        self.security.setProperty("state", "warn")
        self.security.hide()
        self.audit_mark = self._label("auditMark")  # the audit log's chain broken, file missing, cannot write
        self.audit_mark.setProperty("state", "warn")
        self.audit_mark.hide()
        self.storage_mark = self._label("storageMark")  # a write failed: the data folder is full or read-only
        self.storage_mark.setProperty("state", "warn")
        self.storage_mark.hide()
        self.operator_label = self._label("operatorLabel")
        self.mute = self._label("muteMark")  # "Sound muted until 19:00": permanent, never covered by a message
        self.mute.setProperty("state", "warn")
        self.mute.hide()
        # the first state of each label before the bar's layout polishes them (a change after: polished again)
        self.set_health(Health.CONNECTING)
        self.last_poll.setText("no poll yet")
        self.set_alarms(0)
        self.set_outbox(0)
        # a transient message has a label of its own: QStatusBar's own message would cover the connection state
        self.message = self._label("transientMessage")
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clearMessage)
        # the labels in one row of their own, laid out as QStatusBar lays out its items (the connection's on the
        # left, the marks, profile and operator on the right) but added once: QStatusBar lays every item out
        # anew at each addWidget (13 labels: ~3 ms before the window's first paint, issue 15)
        self.addWidget(_row([(self.health_badge, 0), (self.last_poll, 0), (self.problems, 0), (self.alarms, 0),
                             (self.outbox, 1), (self.message, 2)],
                            [(self.mute, 0), (self.security, 0), (self.audit_mark, 0), (self.storage_mark, 0),
                             (self.profile_label, 0), (self.operator_label, 0)]), 1)
        self._session: Session | None = None
        self._unbind: Callable[[], None] | None = None
        self._audit: AuditState | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.refresh)

    def _restyle_soon(self, widget: QWidget) -> None:
        if not theme.polished(widget):
            return  # its first polish reads the new state (the labels' first states, set while the window is built)
        if not self._to_restyle:
            self._restyle_timer.start()
        if widget not in self._to_restyle:
            self._to_restyle.append(widget)

    def _restyle_now(self) -> None:
        widgets, self._to_restyle = self._to_restyle, []
        for widget in widgets:
            theme.restyle(widget)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # type: ignore[override]  # Qt: also (text, ms)
        """A passing message beside the connection state, never over it (cleared after ``timeout`` ms)."""
        self.message.setText(text)
        self.message.setToolTip(tooltip(text))
        self.message.setVisible(bool(text))
        if timeout > 0 and text:
            self._message_timer.start(timeout)
        else:
            self._message_timer.stop()

    def clearMessage(self) -> None:
        self.message.setText("")
        self.message.hide()
        self._message_timer.stop()

    def currentMessage(self) -> str:
        return self.message.text()

    def _label(self, name: str) -> ElidedLabel:
        label = ElidedLabel(parent=self)  # a narrow window cuts the words with "…" instead of growing
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # server and user text is never markup
        return label

    # -- session ---------------------------------------------------------------------------------

    def bind_session(self, session: Session | None) -> None:
        if self._unbind is not None:
            self._unbind()
            self._unbind = None
        self._session = session
        if session is None:
            self._tick.stop()
            self.set_health(Health.OFFLINE, "not connected")
            self.profile_label.setText("")
            self.problems.setText("")
            self.set_security("")
            self.bind_audit(None)
            return
        self._unbind = session.health_changed.connect(lambda _health: self.refresh())
        self.profile_label.setText(f"{session.profile.name} ({session.client.base_url})")
        self.set_security(security_warning(session.profile))
        self.set_operator(session.operator)
        self._tick.start()
        self.refresh()

    def refresh(self) -> None:
        session = self._session
        if session is None:
            return
        self.set_health(session.health, session.last_error, token_refused=session.token_refused)
        self.set_last_poll(session.last_ok, stale_after=2 * session.poll_interval)
        self.set_storage(storage_trouble())
        if self._audit is not None:
            self.set_audit(self._audit)

    def bind_audit(self, audit: AuditState | None) -> None:
        """Show the audit log's problems as a permanent mark, read again on every tick (a write may fail on
        another thread); ``None`` unbinds and hides it."""
        self._audit = audit
        self.set_audit(audit)

    def set_audit(self, audit: AuditState | None) -> None:
        """A permanent mark while the audit log has a problem: chain broken, file missing or set aside, not
        writable. The tooltip says it in full (with the file's path)."""
        text, trouble = audit_mark(audit)
        if self.audit_mark.text() != text:
            self.audit_mark.setText(text)
            self.audit_mark.setVisible(bool(text))
        self.audit_mark.setToolTip(tooltip(f"{trouble}. Commands are recorded only while the audit log can be "
                                           "written; check it with 'verify-audit'." if trouble else ""))
        self.audit_mark.setAccessibleName(text)

    def set_storage(self, words: str | None) -> None:
        """A mark while writes fail for want of room or permission ("the data folder X is full")."""
        text = storage_mark(words)
        if self.storage_mark.text() != text:
            self.storage_mark.setText(text)
            self.storage_mark.setVisible(bool(text))
            self.storage_mark.setToolTip(tooltip(f"A write failed: {words}. Events, visitor registrations and the "
                                                 "audit log need room in it." if words else ""))
            self.storage_mark.setAccessibleName(text)

    def set_security(self, text: str) -> None:
        """A permanent mark for a connection that is not protected as it should be ("" hides it)."""
        self.security.setText(text)
        self.security.setToolTip(tooltip(SECURITY_TIPS.get(text, "")))
        self.security.setVisible(bool(text))

    def set_health(self, health: Health, detail: str = "", *, token_refused: bool = False) -> None:
        # a refused token is not an outage that retrying fixes: say what the operator must do
        text = TOKEN_REFUSED_TEXT if token_refused else _HEALTH_TEXT[health]
        if self.health_badge.text() != text:
            self.health_badge.setText(text)
        if self.health_badge.property("health") != health.value:
            self.health_badge.setProperty("health", health.value)
            self._restyle_soon(self.health_badge)
        tip = f"Connection: {health.value}"
        if detail:
            tip += f"\nLast error: {redact(detail)[:400]}"
        self.health_badge.setToolTip(tooltip(tip))  # the error may quote the server: never rich text
        self.health_badge.setAccessibleName(f"Connection {health.value}")

    def set_last_poll(self, when: datetime | None, *, stale_after: float) -> None:
        if when is None:
            text, stale = "no poll yet", False
        else:
            age = (datetime.now().astimezone() - when).total_seconds()
            stale = age > stale_after
            text = f"last poll {when.strftime('%H:%M:%S')}"
            if stale:
                text += f" ({_age(age)} ago: data stale)"
        if self.last_poll.text() != text:
            self.last_poll.setText(text)
        flag = "true" if stale else "false"
        if self.last_poll.property("stale") != flag:
            self.last_poll.setProperty("stale", flag)
            self._restyle_soon(self.last_poll)

    # -- doors panel -----------------------------------------------------------------------------

    def set_summary(self, summary: object) -> None:
        text, level = describe_summary(summary)
        self.problems.setText(text)
        if self.problems.property("level") != level:
            self.problems.setProperty("level", level)
            self._restyle_soon(self.problems)

    def set_alarms(self, count: int, *, urgent: bool = True) -> None:
        """Unacknowledged alarms, in words and colour (hidden when there are none); ``urgent`` False when only
        low-priority ones wait (device offline, maintenance): amber rather than red, as in the queue."""
        self.alarms.setText(f"{count} alarm{'s' if count != 1 else ''} to acknowledge" if count else "")
        self.alarms.setVisible(bool(count))
        level = ("alarm" if urgent else "warn") if count else "ok"
        if self.alarms.property("level") != level:
            self.alarms.setProperty("level", level)
            self._restyle_soon(self.alarms)

    def set_outbox(self, count: int) -> None:
        """Visitor registrations kept while the server was away, waiting to be sent."""
        self.outbox.setText(f"{count} registration{'s' if count != 1 else ''} waiting for the server" if count else "")
        self.outbox.setVisible(bool(count))

    def set_mute(self, text: str) -> None:
        """The alarm sound's mute and its end ("Sound muted until 19:00"; "" when the sound is on)."""
        self.mute.setText(text)
        self.mute.setVisible(bool(text))

    def set_operator(self, name: str) -> None:
        self.operator_label.setText(f"Operator: {name}" if name else "")


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
