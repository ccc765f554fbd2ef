"""First-run checks and messages that must come before Qt starts (no Qt import here).

- :func:`display_problem`: on Linux without ``DISPLAY``/``WAYLAND_DISPLAY`` and with ``QT_QPA_PLATFORM`` unset,
  Qt would abort with its xcb plugin message; the console says what to do instead (:data:`NO_DISPLAY`).
- :func:`program_name`: the program as it was started (``cvsecurity-console``, ``console``...), for ``--help``.
- :func:`token_refused`: ``--token`` on the command line is refused with a pointer to the keyring and
  ``CVSEC_TOKEN`` (a token in argv is visible to every user of the machine in the process list).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

__all__ = ["NO_DISPLAY", "SUBCOMMANDS", "display_problem", "program_name", "token_refused"]

NO_DISPLAY = ("no display found: set QT_QPA_PLATFORM=offscreen for headless use, or run it in a desktop session")

# name -> one line for --help; main() dispatches them (a subcommand is listed only when main() knows it)
SUBCOMMANDS: dict[str, str] = {
    "export-events": "export the event journal for a time range to CSV, without a window (see 'export-events --help')",
    "autostart": "start the console at login, full screen, for unattended desks: autostart on|off|status",
    "verify-audit": "check the audit log's hash chain: prints OK or where it breaks (exit 0 or 1)",
}


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """The message for a Linux run with no display and no platform chosen; None when Qt can start."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    if env.get("QT_QPA_PLATFORM", "").strip():
        return None  # the user chose a platform (offscreen, wayland, vnc...): Qt decides
    if env.get("DISPLAY", "").strip() or env.get("WAYLAND_DISPLAY", "").strip():
        return None
    return NO_DISPLAY


def program_name(argv0: str | None = None) -> str:
    """The basename of how the program was started; ``python -m console`` says ``python -m console``."""
    argv0 = (sys.argv[0] if sys.argv else "") if argv0 is None else argv0
    base = os.path.basename(argv0.rstrip("/\\")) if argv0 else ""
    if not base or base in {"__main__.py", "-c"}:
        return "python -m console"
    if base.endswith(".exe"):
        base = base[:-4]
    return base


def token_refused(args: Sequence[str], token_env: str) -> str | None:
    """The refusal for ``--token`` (or ``--token=...``) among ``args``; None when it is absent."""
    if not any(a == "--token" or a.startswith("--token=") for a in args):
        return None
    return (f"--token is not accepted: a token on the command line is visible to everyone on this PC. Store it "
            f"in the system keyring (Console > Connections…, Ctrl+K) or set the {token_env} environment variable.")
