"""The command line: the options of a run, parsed. Light and free of Qt: the command parses it, takes the data
folder's lock and launches demo mode's simulator before PySide6 is imported (:mod:`console.ui.launch`)."""

from __future__ import annotations

import argparse
import getpass
from typing import NamedTuple
from urllib.parse import urlsplit

import console
from console.services.settings import THEMES, Settings
from console.ui import firstrun

__all__ = ["DEMO_PROFILE", "TOKEN_ENV", "Options", "build_parser", "expected_profile", "os_user", "parse_args"]

TOKEN_ENV = "CVSEC_TOKEN"  # noqa: S105 (the name of the variable, not a token)
DEMO_PROFILE = "Demo (simulator)"  # the connection profile of demo mode (its data folder's name)


class Options(NamedTuple):  # (not a dataclass: made before the window's first paint, see theme.ThemePalette)
    demo: bool = False
    demo_site: str = "small"
    basedir: str | None = None
    server: str | None = None
    poll_interval: float | None = None
    profile: str | None = None
    operator: str | None = None
    theme: str | None = None
    self_test: bool = False
    screenshot: str | None = None
    kiosk: bool = False
    log_stderr: bool = True
    demo_process: bool = False  # demo mode's simulator in its own process (the command line's default; tests
    # that reach into the simulator's world keep it in a thread: ``app.sim.call(fn)``)

    @property
    def interactive(self) -> bool:
        """False when the run must never wait for a person (self-test, screenshot)."""
        return not (self.self_test or self.screenshot)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError("the poll interval must be between 0.1 and 3600 seconds")
    return value


def build_parser(prog: str = "cvsecurity-console") -> argparse.ArgumentParser:
    subcommands = "\n".join(f"  {prog} {name:<14} {what}" for name, what in firstrun.SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Operator console for ZKBio CVSecurity: live doors and gates.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"subcommands:\n{subcommands}\n\nThe access token is never taken from the command line: it comes "
        f"from the system keyring or\nthe {TOKEN_ENV} environment variable.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {console.__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the built-in simulator (no server needed)")
    parser.add_argument("--demo-site", choices=("small", "large", "xl"), default="small",
                        help="the simulated site in demo mode (large: about 2,000 doors; xl: 10,000)")
    parser.add_argument("--basedir", metavar="DIR",
                        help="keep config, data and logs under DIR (default: CVSEC_BASEDIR, else the user's dirs)")
    parser.add_argument("--server", metavar="URL", help=f"connect straight to URL (token: keyring or {TOKEN_ENV})")
    parser.add_argument("--profile", metavar="NAME", help="connect with the saved connection NAME")
    parser.add_argument("--poll-interval", metavar="SECONDS", type=_positive_seconds,
                        help="poll every SECONDS instead of the profile's interval")
    parser.add_argument("--operator", metavar="NAME", help="the operator on duty (default: asked, or the OS user)")
    parser.add_argument("--theme", choices=THEMES, help="colour theme")
    parser.add_argument("--self-test", action="store_true",
                        help="start, connect, complete one poll, render the doors panel, exit 0 (or 1 with the reason)")
    parser.add_argument("--screenshot", metavar="FILE", help="save a PNG of the window after the first poll, then exit")
    parser.add_argument("--kiosk", action="store_true",
                        help="start full screen (unattended desks; see 'autostart --help' to start at login)")
    return parser


def parse_args(argv: list[str], prog: str = "cvsecurity-console") -> Options:
    parser = build_parser(prog)
    ns = parser.parse_args(argv)
    if ns.demo and ns.server:
        parser.error("--demo and --server exclude each other")
    if ns.basedir is not None and not ns.basedir.strip():  # "" would silently mean the operator's own folders
        parser.error("--basedir is empty: name a folder (or leave the option out)")
    return Options(
        demo=ns.demo,
        demo_site=ns.demo_site,
        basedir=ns.basedir,
        server=ns.server,
        poll_interval=ns.poll_interval,
        profile=ns.profile,
        operator=ns.operator,
        theme=ns.theme,
        self_test=ns.self_test,
        screenshot=ns.screenshot,
        kiosk=ns.kiosk,
        demo_process=True,
    )


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "operator"


def expected_profile(options: Options, settings: Settings) -> str | None:
    """The name of the profile the start will connect to (``ConsoleApp._initial_target``), when it is known
    without asking anyone (no token read, no dialog); None when a dialog decides or the name is refused then.
    Its snapshot is the board shown before connecting (``console.ui.board_picture``, ``board_preview``)."""
    if options.demo:
        return DEMO_PROFILE
    if options.server:
        url = options.server.rstrip("/")
        saved = settings.profile(options.profile) if options.profile else None
        saved = saved or next((p for p in settings.profiles if p.url.rstrip("/") == url), None)
        return saved.name if saved is not None else (options.profile or urlsplit(url).netloc or url)
    if options.profile:
        return options.profile if settings.profile(options.profile) is not None else None
    profiles = settings.profiles
    name = settings.last_profile
    profile = settings.profile(name) if name else (profiles[0] if len(profiles) == 1 else None)
    return profile.name if profile is not None else None
