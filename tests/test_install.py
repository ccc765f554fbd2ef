"""A non-editable install (a wheel) carries everything the console needs, resources/ included.

The wheel is built from a copy of the sources (the checkout is left alone) with the venv's own setuptools
(``--no-build-isolation``: no network), installed with ``pip install --target`` into a fresh folder, and run
with ``--demo --self-test`` from a folder outside the checkout, with the installed copy first on the path.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _listed_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_and_resource_folder_is_listed_in_pyproject():
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "console").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    found |= {
        ".".join(("console._resources", *folder.relative_to(ROOT / "resources").parts))
        for folder in [ROOT / "resources", *(ROOT / "resources").rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts
    }
    listed = _listed_packages()
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == set(), "these are listed in pyproject.toml but do not exist"


def _can_build_wheels() -> bool:
    # setuptools >= 70.1 builds wheels on its own; older ones need the ``wheel`` package
    try:
        import setuptools
    except ImportError:  # a venv of Python >= 3.12 has none unless asked
        return False
    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.slow
@pytest.mark.skipif(not _can_build_wheels(), reason="needs setuptools >= 70.1 or wheel in this venv (./dev.sh "
                    "installs them in .venv, where CI runs this test)")
def test_wheel_install_passes_its_self_test(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "console", src / "console", ignore=skip)
    shutil.copytree(ROOT / "resources", src / "resources", ignore=skip)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
                    str(src)], check=True, cwd=tmp_path, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("cvsecurity_console-*.whl")
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--quiet", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                   check=True, cwd=tmp_path, timeout=300)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CVSEC_RESOURCES", "CVSEC_BASEDIR")}
    env.update(PYTHONPATH=str(site), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import console, console.resources as r; print(console.__file__); print(r.root())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    module_file, resources_root = (Path(line) for line in where.stdout.splitlines())
    assert module_file.is_relative_to(site), f"imported the checkout, not the wheel: {module_file}"
    assert resources_root.is_relative_to(site), f"resources found outside the wheel: {resources_root}"

    done = subprocess.run(
        [sys.executable, "-m", "console", "--demo", "--self-test", "--basedir", str(tmp_path / "base")],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test ok" in done.stdout
