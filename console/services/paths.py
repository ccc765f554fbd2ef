"""Where the console keeps its files: one owner for the config, data, log and cache directories.

``Paths.default()`` follows the platform's conventions (platformdirs, app name ``cvsecurity-console``);
``Paths.under(base)`` puts everything below one folder (``--basedir`` or ``CVSEC_BASEDIR``): tests, demos and a
second instance use it so that they never touch the operator's real settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "BASEDIR_ENV", "Paths"]

APP_NAME = "cvsecurity-console"
BASEDIR_ENV = "CVSEC_BASEDIR"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> Paths:
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

    def ensure(self) -> Paths:
        """Create the directories (owner-only, 0700) and return ``self``."""
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self
