"""Where the console keeps its files: one owner for the config, data, log and cache directories.

``Paths.default()`` follows the platform's conventions (platformdirs, app name ``cvsecurity-console``);
``Paths.under(base)`` puts everything below one folder (``--basedir`` or ``CVSEC_BASEDIR``): tests, demos and a
second instance use it so that they never touch the operator's real settings.

Every file the console writes there is owner-only (0600; directories 0700): the journal and the audit log
hold PINs and card numbers. :func:`private_file` and :func:`make_private` serve the writers whose library
would otherwise create files with the process umask (SQLite, logging).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "APP_NAME",
    "BASEDIR_ENV",
    "PRIVATE_MODE",
    "SQLITE_SIDE_FILES",
    "Paths",
    "make_private",
    "private_dir",
    "private_file",
]

PRIVATE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

APP_NAME = "cvsecurity-console"
BASEDIR_ENV = "CVSEC_BASEDIR"


def _sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` in hex, from CPython's built-in module where it has one: ``hashlib`` loads OpenSSL
    (~2.5 ms), and the profile's folder is looked up before the window's first paint (its board's picture)."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # CPython 3.12+
        except ImportError:
            from hashlib import sha256  # type: ignore[assignment,unused-ignore]
    return str(sha256(data).hexdigest())


def profile_slug(profile: str) -> str:
    """A folder name for a connection profile: readable, safe on every file system, distinct per name."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", profile).strip("-")[:40] or "profile"
    return f"{slug}-{_sha256_hex(profile.encode('utf-8'))[:8]}"


class Paths(NamedTuple):  # (not a dataclass: made before the window's first paint, see theme.ThemePalette)
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> Paths:
        import platformdirs  # (here: a console given its folders never needs it)

        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            config_dir=Path(dirs.user_config_dir),
            data_dir=Path(dirs.user_data_dir),
            log_dir=Path(dirs.user_log_dir),
            cache_dir=Path(dirs.user_cache_dir),
        )

    @classmethod
    def under(cls, base: str | os.PathLike[str]) -> Paths:
        root = Path(base).expanduser().resolve()
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            log_dir=root / "logs",
            cache_dir=root / "cache",
        )

    @classmethod
    def from_env_or_args(cls, basedir: str | None) -> Paths:
        """``--basedir`` wins, then the ``CVSEC_BASEDIR`` environment variable, then the platform default."""
        if basedir:
            return cls.under(basedir)
        env = os.environ.get(BASEDIR_ENV, "").strip()
        if env:
            return cls.under(env)
        return cls.default()

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    def profile_dir(self, profile: str) -> Path:
        """The data of one connection profile (its event journal): ``data/profiles/<slug>``."""
        return self.data_dir / "profiles" / profile_slug(profile)

    def ensure(self) -> Paths:
        """Create the directories (owner-only, 0700) and return ``self``."""
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self


def private_file(path: Path) -> Path:
    """Create ``path`` empty when it is missing, then make it owner-only; returns ``path``.

    Call it before a library opens the file with the process umask. SQLite gives a database's ``-wal``,
    ``-shm`` and ``-journal`` files the mode of the database file, so a private database stays private.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    make_private(path)
    return path


def make_private(*paths: Path, sqlite: bool = False) -> None:
    """Make the files that exist among ``paths`` owner-only (0600), best effort.

    ``sqlite=True`` also covers each database's side files (a journal written by an older version).
    """
    for path in paths:
        targets = [path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)] if sqlite else [path]
        for target in targets:
            with contextlib.suppress(FileNotFoundError, PermissionError):
                if target.stat().st_mode & 0o077:
                    target.chmod(PRIVATE_MODE)


def private_dir(path: Path) -> Path:
    """Create ``path`` and every missing parent owner-only (0700; ``mkdir(parents=True)`` would give the
    parents the umask's mode); returns ``path``."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
    return path
