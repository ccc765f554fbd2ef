"""Connection profiles: the first-start dialog, the profile editor with "Test connection", the profile list.

Dialogs are shown with ``open()`` and awaited through :func:`console.ui.aio.dialog_result`; nothing here
calls ``exec()``. The token typed in the editor goes to the :class:`~console.services.secrets.TokenStore`
(the OS keyring, or memory for this session when there is none); it is never written to the settings.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.api.tls import fetch_certificate, fingerprint
from console.services.logs import redact, register_secret
from console.services.secrets import TokenStore
from console.services.session import DEFAULT_POLL_INTERVAL, ProbeResult, Profile, probe
from console.services.settings import Settings
from console.ui import aio, theme

__all__ = ["DEMO", "ProfileDialog", "ProfilesDialog", "edit_profile"]

log = logging.getLogger(__name__)

DEMO = 2  # ProfileDialog result: the operator chose "Try the demo" on the first start


class ProfileDialog(QDialog):
    """Create or edit one profile. ``first_start=True`` adds a welcome text and a "Try the demo" button."""

    def __init__(
        self,
        tokens: TokenStore,
        *,
        profile: Profile | None = None,
        taken_names: set[str] | frozenset[str] = frozenset(),
        first_start: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tokens = tokens
        self._original = profile
        self._pinned_cert = profile.pinned_cert if profile else ""
        self._taken = set(taken_names) - ({profile.name} if profile else set())
        self.last_probe: ProbeResult | None = None
        self.setWindowTitle("Welcome: connect to CVSecurity" if first_start else
                            ("Edit connection" if profile else "New connection"))
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        if first_start:
            title = QLabel("Connect the console to your CVSecurity server")
            title.setProperty("role", "title")
            hint = QLabel("Enter the server address and the API access token (CVSecurity: System > "
                          "Third Party Integration > API Authorization). The token is kept in the system "
                          "keyring, never in a file. No server at hand? Try the demo.")
            hint.setProperty("role", "hint")
            hint.setWordWrap(True)
            layout.addWidget(title)
            layout.addWidget(hint)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.name_edit = QLineEdit(profile.name if profile else "")
        self.name_edit.setPlaceholderText("Head office")
        self.name_edit.setMaxLength(80)
        self.url_edit = QLineEdit(profile.url if profile else "")
        self.url_edit.setPlaceholderText("https://cvsecurity.example.com:8098")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("unchanged (kept in the keyring)" if profile else "API access token")
        self.verify_check = QCheckBox("Verify the server's certificate (recommended)")
        self.verify_check.setChecked(profile.verify_tls if profile else True)
        self.ca_edit = QLineEdit(profile.ca_file or "" if profile else "")
        self.ca_edit.setPlaceholderText("system CAs")
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)  # Enter in a field saves; it never opens the file chooser
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.interval_spin = QDoubleSpinBox()
        self.interval_spin.setRange(1.0, 3600.0)
        self.interval_spin.setDecimals(1)
        self.interval_spin.setSuffix(" s")
        self.interval_spin.setValue(profile.poll_interval if profile else DEFAULT_POLL_INTERVAL)
        self.interval_spin.setToolTip("The manual advises polling door states no faster than every 10 s.")
        form.addRow("Name", self.name_edit)
        form.addRow("Server URL", self.url_edit)
        form.addRow("Access token", self.token_edit)
        form.addRow("", self.verify_check)
        form.addRow("CA file", ca_row)
        self.pin_label = QLabel()
        self.pin_label.setTextFormat(Qt.TextFormat.PlainText)
        self.pin_label.setWordWrap(True)
        self.pin_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trust_button = QPushButton("Show the certificate and trust it…")
        self.trust_button.setAutoDefault(False)
        self.trust_button.setToolTip("For a server with its own (self-signed) certificate: compare the fingerprint "
                                     "with the server's, then trust exactly that certificate (like SSH)")
        self.trust_button.clicked.connect(self._on_trust)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin_label, 1)
        pin_row.addWidget(self.trust_button)
        form.addRow("Pinned certificate", pin_row)
        self._show_pin()
        form.addRow("Poll interval", self.interval_spin)
        layout.addLayout(form)

        self.result_label = QLabel("")
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)  # the server's words are never markup
        self.result_label.setWordWrap(True)
        self.result_label.setProperty("role", "result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)

        self.buttons = QDialogButtonBox()
        self.test_button = self.buttons.addButton("Test connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = self.buttons.addButton(
            "Save and connect" if first_start else "Save", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.demo_button: QPushButton | None = None
        if first_start:
            self.demo_button = self.buttons.addButton("Try the demo", QDialogButtonBox.ButtonRole.ResetRole)
            self.demo_button.clicked.connect(lambda: self.done(DEMO))
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.test_button.clicked.connect(self._on_test)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # -- form ------------------------------------------------------------------------------------

    def profile(self) -> Profile:
        """The profile the form describes; ``ValueError`` with a readable reason when it is not valid."""
        name = self.name_edit.text().strip()
        if name in self._taken:
            raise ValueError(f"a connection named {name!r} already exists")
        return Profile(
            name=name,
            url=self.url_edit.text().strip().rstrip("/"),
            verify_tls=self.verify_check.isChecked(),
            ca_file=self.ca_edit.text().strip() or None,
            poll_interval=round(self.interval_spin.value(), 1),
            pinned_cert=self._pinned_cert if self.url_edit.text().strip().lower().startswith("https") else "",
        )

    def _show_pin(self) -> None:
        if self._pinned_cert:
            self.pin_label.setText(f"SHA-256 {fingerprint(self._pinned_cert)}: only this certificate is trusted")
        else:
            self.pin_label.setText("none")

    async def trust_certificate(self) -> bool:
        """Fetch the server's certificate, show its fingerprint, and pin it if the operator says it matches."""
        url = self.url_edit.text().strip().rstrip("/")
        try:
            pem, print_ = await fetch_certificate(url)
        except (OSError, ValueError) as exc:
            self.show_result(f"The certificate could not be fetched from {url}: {exc}", "alarm")
            return False
        box = QMessageBox(QMessageBox.Icon.Question, "Trust this certificate?",
                          f"The server at {url} presents a certificate with the SHA-256 fingerprint\n\n{print_}\n\n"
                          "Compare it with the fingerprint shown on the server (or by its administrator). Trust "
                          "it only if they are the same: from then on this certificate, and no other, is accepted "
                          "for this connection.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        try:
            answer = await aio.dialog_result(box)
        finally:
            box.deleteLater()
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._pinned_cert = pem
        self._show_pin()
        self.show_result(f"Certificate pinned ({print_[:23]}…). Test the connection again.", "ok")
        return True

    _on_trust = aio.slot(trust_certificate)

    def typed_token(self) -> str:
        return self.token_edit.text().strip()

    async def token(self) -> str:
        """The token typed, or (editing) the one already stored for the profile."""
        typed = self.typed_token()
        if typed or self._original is None:
            return typed
        return await self._tokens.get(self._original.name) or ""

    def show_result(self, text: str, state: str) -> None:
        self.result_label.setText(redact(text))
        self.result_label.setProperty("state", state)
        theme.restyle(self.result_label)
        self.result_label.show()

    def _browse_ca(self) -> None:
        chooser = QFileDialog(self, "Certificate authority file")
        chooser.setNameFilters(["Certificates (*.pem *.crt *.cer)", "All files (*)"])
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.fileSelected.connect(self.ca_edit.setText)
        chooser.finished.connect(chooser.deleteLater)
        chooser.open()

    # -- actions ---------------------------------------------------------------------------------

    async def test_connection(self) -> ProbeResult | None:
        """Check the form's server with one cheap call and show the answer; None when the form is invalid."""
        try:
            profile = self.profile()
        except ValueError as exc:
            self.show_result(str(exc), "alarm")
            return None
        token = await self.token()
        if not token:
            self.show_result("Enter the access token to test the connection.", "warn")
            return None
        register_secret(token)
        self.test_button.setEnabled(False)
        self.show_result(f"Testing {profile.url}…", "info")
        try:
            result = await probe(profile, token)
        finally:
            self.test_button.setEnabled(True)
        self.last_probe = result
        self.show_result(result.message, "ok" if result.ok else "alarm")
        if result.kind in ("tls", "tls-changed"):
            self.trust_button.setFocus()  # the next step the message names
        return result

    _on_test = aio.slot(test_connection)

    async def save(self) -> bool:
        """Validate, and close the dialog with Accepted when the profile and a token are there."""
        try:
            self.profile()
        except ValueError as exc:
            self.show_result(str(exc), "alarm")
            return False
        if not await self.token():
            self.show_result("Enter the access token.", "warn")
            self.token_edit.setFocus()
            return False
        self.accept()
        return True

    _on_save = aio.slot(save)


async def edit_profile(
    parent: QWidget | None,
    settings: Settings,
    tokens: TokenStore,
    *,
    profile: Profile | None = None,
    first_start: bool = False,
) -> tuple[Profile, str] | int | None:
    """Show the profile editor; on save, store the profile (settings) and its token (keyring).

    Returns ``(profile, token)``, :data:`DEMO` when the operator chose the demo, or None when cancelled.
    """
    names = {p.name for p in settings.profiles}
    dialog = ProfileDialog(tokens, profile=profile, taken_names=names, first_start=first_start, parent=parent)
    try:
        result = await aio.dialog_result(dialog)
        if result == DEMO:
            return DEMO
        if result != QDialog.DialogCode.Accepted:
            return None
        new = dialog.profile()
        token = await dialog.token()
    finally:
        dialog.deleteLater()
    if profile is not None and profile.name != new.name:
        await tokens.rename(profile.name, new.name)
    stored = await tokens.set(new.name, token)
    settings.upsert_profile(new, old_name=profile.name if profile else None)
    settings.save()
    if not stored.persisted:
        await aio.message(parent, "Token not saved", stored.message.capitalize() + ".",
                          icon=QMessageBox.Icon.Warning)
    return new, token


class ProfilesDialog(QDialog):
    """The saved connections: add, edit, remove, and pick one to connect to (``chosen``)."""

    def __init__(self, settings: Settings, tokens: TokenStore, *, current: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connections")
        self.setMinimumSize(520, 320)
        self._settings = settings
        self._tokens = tokens
        self.chosen: tuple[Profile, str] | None = None
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self._on_connect())
        layout.addWidget(self.list, 1)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setProperty("role", "hint")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.add_button = buttons.addButton("Add…", QDialogButtonBox.ButtonRole.ActionRole)
        self.edit_button = buttons.addButton("Edit…", QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button = buttons.addButton("Remove", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.add_button.clicked.connect(self._on_add)
        self.edit_button.clicked.connect(self._on_edit)
        self.remove_button.clicked.connect(self._on_remove)
        self.connect_button.clicked.connect(self._on_connect)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fill(current)

    def _fill(self, select: str | None = None) -> None:
        self.list.clear()
        for profile in self._settings.profiles:
            item = QListWidgetItem(f"{profile.name}  ({profile.url}, every {profile.poll_interval:g} s)")
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.list.addItem(item)
            if profile.name == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        has = self.list.count() > 0
        for button in (self.edit_button, self.remove_button, self.connect_button):
            button.setEnabled(has)

    def selected(self) -> Profile | None:
        item = self.list.currentItem()
        return self._settings.profile(str(item.data(Qt.ItemDataRole.UserRole))) if item else None

    async def add(self) -> None:
        result = await edit_profile(self, self._settings, self._tokens)
        if isinstance(result, tuple):
            self._fill(result[0].name)

    async def edit(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        result = await edit_profile(self, self._settings, self._tokens, profile=profile)
        if isinstance(result, tuple):
            self._fill(result[0].name)

    async def remove(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        answer = await aio.message(
            self, "Remove connection", f"Remove the connection {profile.name!r} and forget its token?",
            icon=QMessageBox.Icon.Question,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            default=QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        await self._tokens.delete(profile.name)
        self._settings.remove_profile(profile.name)
        self._settings.save()
        self._fill()

    async def connect_selected(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        token = await self._tokens.get(profile.name)
        if not token:
            self.status.setText(f"No token is stored for {profile.name!r}: edit the connection to enter it.")
            return
        self.chosen = (profile, token)
        self.accept()

    _on_add = aio.slot(add)
    _on_edit = aio.slot(edit)
    _on_remove = aio.slot(remove)
    _on_connect = aio.slot(connect_selected)
