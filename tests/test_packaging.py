"""The package definitions: the Windows installer and the macOS app carry no Linux-only path; the .deb's parts."""

from __future__ import annotations

import plistlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"

# Paths and names that exist only on Linux (or only on this machine): a Windows or macOS build must not need them.
LINUX_ONLY = re.compile(
    r"(?<![\w.])/(usr|opt|etc|home|root|work|tmp|var|lib|lib64|proc)/|\.so(\.\d+)*\b|\bxcb\b|\bdpkg\b|\bapt(-get)?\b"
    r"|\.venv/bin|/bin/|\bQT_QPA_PLATFORM=offscreen\b|\.desktop\b|\bpyenv\b"
)


def _definitions() -> dict[str, str]:
    return {
        "windows": (PACKAGING / "windows" / "cvsecurity-console.iss").read_text(encoding="utf-8"),
        "macos": (PACKAGING / "macos" / "Info.plist").read_text(encoding="utf-8"),
    }


def test_windows_and_macos_definitions_have_no_linux_only_paths() -> None:
    for name, text in _definitions().items():
        found = [m.group(0) for m in LINUX_ONLY.finditer(text)]
        assert not found, f"{name}: Linux-only paths {found}"


def test_the_check_would_catch_a_linux_path() -> None:
    assert LINUX_ONLY.search('Source: "/work/main/build/dist/*"')
    assert LINUX_ONLY.search("libQt6XcbQpa.so.6")
    assert not LINUX_ONLY.search(r'Source: "..\..\build\dist\cvsecurity-console\*"')


def test_the_macos_app_asks_for_the_camera_and_the_windows_installer_ships_the_bundle() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert info["CFBundleExecutable"] == "cvsecurity-console"
    assert "camera" in info["NSCameraUsageDescription"].lower()
    iss = _definitions()["windows"]
    assert r"build\dist\cvsecurity-console\*" in iss
    assert "cvsecurity-console.exe" in iss
    readme = (PACKAGING / "README.md").read_text(encoding="utf-8")
    assert "cannot be built on these Linux machines" in readme
    assert "ISCC.exe" in readme
    assert "Info.plist" in readme


def test_the_deb_depends_on_qts_system_libraries_and_a_cjk_font() -> None:
    script = (PACKAGING / "linux" / "build-deb.sh").read_text(encoding="utf-8")
    dev = (ROOT / "dev.sh").read_text(encoding="utf-8")
    needed = re.search(r"local pkgs=\(([^)]*)\)", dev)
    assert needed is not None
    for package in needed.group(1).split():
        assert package in script, f"{package} (dev.sh need_system_packages) is missing from the .deb's Depends"
    assert "fonts-noto-cjk" in script
    desktop = (PACKAGING / "linux" / "cvsecurity-console.desktop").read_text(encoding="utf-8")
    assert "Exec=cvsecurity-console" in desktop
    assert "Icon=cvsecurity-console" in desktop


def test_the_readme_and_notes_name_no_file_outside_the_repository() -> None:
    for name in ("README.md", "NOTES.md", "packaging/README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "../shared" not in text, name
        assert "/work/" not in text, name
        assert not re.search(r"(?<!docs/)FIELD-NOTES", text), name


def test_the_desktop_entry_is_valid_where_the_validator_exists() -> None:
    desktop = PACKAGING / "linux" / "cvsecurity-console.desktop"
    try:
        done = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        assert desktop.read_text(encoding="utf-8").startswith("[Desktop Entry]\n")
        return
    assert done.returncode == 0, done.stdout + done.stderr
