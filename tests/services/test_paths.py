"""Where the console writes: one owner, --basedir and CVSEC_BASEDIR isolate everything."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from console.services.paths import BASEDIR_ENV, Paths, profile_slug


def test_under_puts_every_folder_below_the_base(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path / "desk")
    assert paths.config_dir == tmp_path / "desk" / "config"
    assert paths.data_dir == tmp_path / "desk" / "data"
    assert paths.log_dir == tmp_path / "desk" / "logs"
    assert paths.cache_dir == tmp_path / "desk" / "cache"
    assert paths.settings_file == tmp_path / "desk" / "config" / "settings.toml"


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path / "b").ensure()
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir):
        assert folder.is_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert paths.ensure() == paths  # a second call is harmless


def test_argument_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASEDIR_ENV, str(tmp_path / "from-env"))
    assert Paths.from_env_or_args(str(tmp_path / "from-arg")).config_dir == tmp_path / "from-arg" / "config"
    assert Paths.from_env_or_args(None).config_dir == tmp_path / "from-env" / "config"


def test_default_uses_the_platform_dirs_named_after_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(BASEDIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    paths = Paths.from_env_or_args(None)
    assert paths == Paths.default()
    assert paths.config_dir == tmp_path / "xdg-config" / "cvsecurity-console"
    assert paths.data_dir == tmp_path / "xdg-data" / "cvsecurity-console"
    assert len({paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir}) == 4


def test_a_profiles_folder_keeps_its_name_across_releases() -> None:
    """The folder of a connection (its journal, snapshot, outbox) is found again after an update: the name's hash
    is SHA-256, whichever module computes it (CPython's own before the first paint, or hashlib)."""
    import hashlib

    assert profile_slug("Demo (simulator)") == "Demo-simulator-6e4b4a05"  # as the releases before made it
    for name in ("Head office", "Zentrale München", "", "x" * 200, "../../etc"):
        slug = profile_slug(name)
        assert slug.endswith("-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8])
        assert "/" not in slug
        assert ".." not in slug
