"""Start at login, full screen, for unattended desks: the per-user login item of each platform."""

from __future__ import annotations

import plistlib
from pathlib import Path

from console.services import autostart


def test_linux_writes_an_xdg_autostart_entry_in_kiosk_mode_and_removes_it(tmp_path: Path) -> None:
    path = autostart.enable(platform="linux", home=tmp_path, env={}, profile="Main gate")
    assert path == tmp_path / ".config" / "autostart" / "cvsecurity-console.desktop"
    text = path.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith('--kiosk --profile "Main gate"')
    assert autostart.disable(platform="linux", home=tmp_path, env={}) == path
    assert not path.exists()
    assert autostart.disable(platform="linux", home=tmp_path, env={}) is None


def test_windows_and_macos_login_items(tmp_path: Path) -> None:
    win = autostart.enable(platform="win32", home=tmp_path, env={}, kiosk=False)
    assert win.parts[-2:] == ("Startup", "cvsecurity-console.cmd")
    assert "--kiosk" not in win.read_text(encoding="utf-8")
    mac = autostart.enable(platform="darwin", home=tmp_path, env={})
    assert mac == tmp_path / "Library" / "LaunchAgents" / "com.cvsecurity.console.plist"
    item = plistlib.loads(mac.read_bytes())
    assert item["RunAtLoad"] is True
    assert item["ProgramArguments"][-1] == "--kiosk"
