"""The first-start/profile dialog: "Test connection" answers in words a guard can act on."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.services.secrets import TokenStore
from console.services.session import Profile
from console.services.settings import Settings
from console.sim import SimConfig, SimulatorThread
from console.ui import aio
from console.ui.connection import DEMO, ProfileDialog, ProfilesDialog, edit_profile
from tests.helpers import until
from tests.services.test_secrets import MemoryKeyring

TOKEN = "dialog-token-3e8b1f"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fill(dialog: ProfileDialog, url: str, token: str, name: str = "HQ") -> None:
    dialog.name_edit.setText(name)
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(token)


def test_test_connection_reports_success_wrong_token_and_unreachable(
    qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread
) -> None:
    dialog = ProfileDialog(TokenStore(MemoryKeyring()), first_start=True)
    qtbot.addWidget(dialog)
    dialog.show()

    _fill(dialog, sim.base_url, "not-the-token")
    result = run(dialog.test_connection())
    assert result is not None
    assert result.kind == "auth"
    assert dialog.result_label.text().startswith("Wrong access token")
    assert dialog.result_label.property("state") == "alarm"
    assert "not-the-token" not in dialog.result_label.text()

    dialog.url_edit.setText(f"http://127.0.0.1:{_free_port()}")
    dialog.token_edit.setText(TOKEN)
    result = run(dialog.test_connection())
    assert result is not None
    assert result.kind == "unreachable"
    assert dialog.result_label.text().startswith("Server unreachable: cannot reach the server")
    assert TOKEN not in dialog.result_label.text()

    dialog.url_edit.setText(sim.base_url)
    result = run(dialog.test_connection())
    assert result is not None
    assert result.ok
    doors = len(sim.call(lambda s: list(s.world.doors)))
    assert dialog.result_label.text() == (
        f"Connected: {sim.base_url} answers as the CVSecurity API and reports {doors} doors."
    )
    assert dialog.result_label.property("state") == "ok"

    # the button drives the same check (a task tied to the dialog)
    dialog.token_edit.setText("wrong-again")
    dialog.test_button.click()
    run(until(lambda: dialog.result_label.text().startswith("Wrong access token")))
    assert dialog.test_button.isEnabled()


def test_the_form_explains_what_is_missing(qtbot: QtBot, run: Callable[..., Any]) -> None:
    dialog = ProfileDialog(TokenStore(MemoryKeyring()), taken_names={"HQ"})
    qtbot.addWidget(dialog)
    _fill(dialog, "cvsec.example:8098", TOKEN, name="Depot")
    assert run(dialog.test_connection()) is None
    assert "https://host" in dialog.result_label.text()
    _fill(dialog, "https://cvsec.example:8098", "", name="Depot")
    assert run(dialog.save()) is False
    assert dialog.result_label.text() == "Enter the access token."
    _fill(dialog, "https://cvsec.example:8098", TOKEN, name="HQ")
    assert run(dialog.save()) is False
    assert "already exists" in dialog.result_label.text()


def _dialog(cls: type) -> Any:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()), None)


def test_first_start_saves_the_profile_and_keeps_the_token_out_of_the_file(
    qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path
) -> None:
    settings = Settings.load(tmp_path / "settings.toml")
    keyring = MemoryKeyring()
    tokens = TokenStore(keyring)

    async def scenario() -> Any:
        task = aio.spawn(edit_profile(None, settings, tokens, first_start=True))
        dialog = await until(lambda: _dialog(ProfileDialog))
        _fill(dialog, sim.base_url, TOKEN, name="Training")
        dialog.interval_spin.setValue(15)
        dialog.save_button.click()
        return await task

    profile, token = run(scenario())
    assert profile == Profile("Training", sim.base_url, poll_interval=15.0)
    assert token == TOKEN
    assert Settings.load(tmp_path / "settings.toml").profiles == [profile]
    assert TOKEN not in (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert keyring.store == {("cvsecurity-console", "Training"): TOKEN}


def test_first_start_offers_the_demo(qtbot: QtBot, run: Callable[..., Any], tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "settings.toml")

    async def scenario() -> Any:
        task = aio.spawn(edit_profile(None, settings, TokenStore(MemoryKeyring()), first_start=True))
        dialog = await until(lambda: _dialog(ProfileDialog))
        assert dialog.demo_button is not None
        dialog.demo_button.click()
        return await task

    assert run(scenario()) == DEMO
    assert settings.profiles == []


def test_without_a_keyring_the_operator_is_told(
    qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path
) -> None:
    from keyring.backends import fail

    settings = Settings.load(tmp_path / "settings.toml")

    async def scenario() -> Any:
        task = aio.spawn(edit_profile(None, settings, TokenStore(fail.Keyring())))
        dialog = await until(lambda: _dialog(ProfileDialog))
        _fill(dialog, sim.base_url, TOKEN)
        dialog.save_button.click()
        box = await until(lambda: _dialog(QMessageBox))
        text = box.text()
        box.button(QMessageBox.StandardButton.Ok).click()
        return text, await task

    text, (profile, token) = run(scenario())
    assert text == "No keyring: the token is kept for this session only."
    assert token == TOKEN
    assert profile.name == "HQ"


def test_profiles_dialog_connects_to_the_chosen_one(
    qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path
) -> None:
    settings = Settings.load(tmp_path / "settings.toml")
    settings.upsert_profile(Profile("A", "https://a.example"))
    settings.upsert_profile(Profile("B", sim.base_url))
    tokens = TokenStore(MemoryKeyring())
    run(tokens.set("B", TOKEN))
    dialog = ProfilesDialog(settings, tokens, current="A")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 2
    assert dialog.selected() == Profile("A", "https://a.example")
    run(dialog.connect_selected())
    assert dialog.chosen is None
    assert "No token is stored for 'A'" in dialog.status.text()
    dialog.list.setCurrentRow(1)
    run(dialog.connect_selected())
    assert dialog.chosen == (Profile("B", sim.base_url), TOKEN)


def test_a_self_signed_server_is_pinned_from_the_dialog_and_then_answers(
    qtbot: QtBot, run: Callable[..., Any]
) -> None:
    """Trust on first use: the refused certificate's fingerprint is shown, the guard says yes, it is pinned."""
    from console.api.tls import fingerprint

    thread = SimulatorThread(SimConfig(token=TOKEN, seed=3, site="small", server_profile="real", tls=True))
    url = thread.start()
    try:
        assert url.startswith("https://127.0.0.1:")
        dialog = ProfileDialog(TokenStore(MemoryKeyring()), first_start=True)
        qtbot.addWidget(dialog)
        dialog.show()
        _fill(dialog, url, TOKEN)
        refused = run(dialog.test_connection())
        assert refused is not None
        assert refused.kind == "tls"
        assert "trust it" in dialog.result_label.text()
        shown: list[str] = []

        async def trust() -> bool:
            task = aio.spawn(dialog.trust_certificate(), name="trust")
            box = await until(lambda: next((w for w in QApplication.topLevelWidgets()
                                            if isinstance(w, QMessageBox) and w.isVisible()), None), 10)
            shown.append(box.text())
            box.button(QMessageBox.StandardButton.Yes).click()
            return bool(await task)

        assert run(trust())
        expected = fingerprint(thread.call(lambda s: s.certificate_pem))
        assert expected in shown[0]  # the guard compares this with the server's own
        profile = dialog.profile()
        assert profile.pinned_cert
        assert fingerprint(profile.pinned_cert) == expected
        assert expected in dialog.pin_label.text()
        answered = run(dialog.test_connection())
        assert answered is not None
        assert answered.ok, answered.message
    finally:
        thread.stop()
