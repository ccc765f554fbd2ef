"""``cvsecurity-console autostart on|off|status``: start the console at login, for unattended desks.

``on`` writes the platform's per-user login item, running the console with ``--kiosk`` (full screen) unless
``--no-kiosk`` is given, plus any ``--profile NAME``:

- Linux (XDG desktops: GNOME, KDE, Xfce...): ``~/.config/autostart/cvsecurity-console.desktop``;
- Windows: ``cvsecurity-console.cmd`` in the user's Startup folder (``%APPDATA%\\Microsoft\\Windows\\Start
  Menu\\Programs\\Startup``);
- macOS: ``~/Library/LaunchAgents/com.cvsecurity.console.plist`` (RunAtLoad).

``off`` removes it; ``status`` prints where it is. Nothing needs administrator rights. No Qt here.
"""

from __future__ import annotations

import argparse
import os
import plistlib
import subprocess
import sys
from pathlib import Path

__all__ = ["autostart_file", "command", "disable", "enable", "main"]

DESKTOP_NAME = "cvsecurity-console.desktop"
MAC_LABEL = "com.cvsecurity.console"


def autostart_file(platform: str | None = None, home: Path | None = None, env: dict[str, str] | None = None) -> Path:
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    env = dict(os.environ) if env is None else env
    if platform.startswith("win"):
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "cvsecurity-console.cmd"
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{MAC_LABEL}.plist"
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / DESKTOP_NAME


def command(*, kiosk: bool = True, profile: str | None = None) -> list[str]:
    """The command line a login starts: the installed program (the bundle's executable when frozen)."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "console"]
    args = ["--kiosk"] if kiosk else []
    if profile:
        args += ["--profile", profile]
    return program + args


def _desktop_quote(arg: str) -> str:
    """An Exec argument as the Desktop Entry spec quotes it (double quotes; single quotes mean nothing there)."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join(f"\\{c}" if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def _content(path: Path, argv: list[str], platform: str) -> bytes:
    if platform.startswith("win"):
        return ("@echo off\r\nstart \"\" " + subprocess.list2cmdline(argv) + "\r\n").encode("utf-8")
    if platform == "darwin":
        return plistlib.dumps({"Label": MAC_LABEL, "ProgramArguments": argv, "RunAtLoad": True})
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=CVSecurity console\n"
        "Comment=Operator console for ZKBio CVSecurity (started at login)\n"
        f"Exec={' '.join(_desktop_quote(a) for a in argv)}\n"
        "Icon=cvsecurity-console\n"
        "X-GNOME-Autostart-enabled=true\n"
        "Terminal=false\n"
    ).encode()


def enable(*, kiosk: bool = True, profile: str | None = None, platform: str | None = None,
           home: Path | None = None, env: dict[str, str] | None = None) -> Path:
    platform = sys.platform if platform is None else platform
    path = autostart_file(platform, home, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_content(path, command(kiosk=kiosk, profile=profile), platform))
    return path


def disable(*, platform: str | None = None, home: Path | None = None,
            env: dict[str, str] | None = None) -> Path | None:
    path = autostart_file(platform, home, env)
    if path.exists():
        path.unlink()
        return path
    return None


def main(argv: list[str], prog: str = "cvsecurity-console autostart") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Start the console at login (unattended desks).")
    parser.add_argument("action", choices=("on", "off", "status"))
    parser.add_argument("--no-kiosk", action="store_true", help="start in a normal window, not full screen")
    parser.add_argument("--profile", metavar="NAME", help="connect with the saved connection NAME")
    ns = parser.parse_args(argv)
    if ns.action == "on":
        path = enable(kiosk=not ns.no_kiosk, profile=ns.profile)
        print(f"the console starts at login{'' if ns.no_kiosk else ', full screen'}: {path}")
    elif ns.action == "off":
        removed = disable()
        print(f"removed {removed}" if removed else "the console was not set to start at login")
    else:
        path = autostart_file()
        print(f"on: {path}" if path.exists() else "off")
    return 0
