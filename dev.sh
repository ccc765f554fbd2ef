#!/usr/bin/env bash
# One entry point for newcomers and CI: sets up everything the console needs, then runs it.
#   ./dev.sh demo    the console in demo mode (embedded simulator), or the simulator alone: ./dev.sh sim
#   ./dev.sh test    lint, type checks, layering contracts, the PyInstaller bundle and its self-test, the wheel
#                    and its self-test outside the checkout, the Qt-free suite and the self-test on Python 3.13
#                    (skipped with a message when no python3.13 is found; PYTHON313=... picks one), then the
#                    whole test suite (what .ci/run runs); extra arguments go to pytest
#   ./dev.sh bundle  only the PyInstaller one-folder bundle and its self-test
#   ./dev.sh package the bundle, then the .deb (build/cvsecurity-console_<version>_<arch>.deb), its size, and
#                    the self-test of the bundle unpacked from it (dpkg-deb -x, no system install)
#   ./dev.sh soak    the console's services against the simulator with faults for a set time (--minutes N,
#                    default 3): prints events lost/doubled, unaudited commands, memory and file sizes; exit 1 on
#                    any loss (tools/soak.py, docs/soak.md)
#   ./dev.sh bench   every benchmark (tests/benchmarks/bench_*.py) and one table: figure, target, measured,
#                    ratio, met/short, with the machine (tools/bench.py; --quick for shorter runs, --only client,
#                    --write-doc to refresh docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv

need_system_packages() {
  # QtMultimedia needs libpulse0; a real display (xcb) needs the xcb helpers; xvfb for screenshots.
  local pkgs=(libpulse0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3)
  local missing=()
  command -v dpkg-query >/dev/null 2>&1 || return 0
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup() {
  need_system_packages
  local stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ]; then
    echo "setting up $VENV (first run: a few minutes; log in $VENV/setup.log)"
    { "$VENV/bin/python" -m pip install --upgrade pip "setuptools>=70.1" wheel &&
      "$VENV/bin/python" -m pip install -e ".[$1]"; } > "$VENV/setup.log" 2>&1 ||
      { tail -n 40 "$VENV/setup.log"; echo "setup failed: see $VENV/setup.log" >&2; exit 1; }
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

# PyInstaller warnings that do not concern the console on Linux: Windows DLLs some libraries load through
# ctypes, GTK (its theme plugin is left out of the bundle), pycparser's generated tables, and Qt Multimedia
# probing for PipeWire while PyInstaller imports it. Anything else is shown. (The console itself silences
# Qt's own chatter at run time: console/ui/qtmessages.py.)
IRRELEVANT='Library (ole32|shell32|user32|kernel32|advapi32|oleaut32|gdi32|comctl32) required via ctypes not found'
IRRELEVANT+='|libqgtk3|Hidden import "(pycparser|scipy)[.a-z_]*" not found|qt\.multimedia\.symbolsresolver'
# pyqtgraph's PyInstaller hook tries its optional 3D module, which needs PyOpenGL (not installed: no 3D here)
IRRELEVANT+="|Failed to collect submodules for 'pyqtgraph.opengl'"

bundle() {
  QT_LOGGING_RULES="qt.multimedia.*=false" "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/work packaging/console.spec 2>&1 | { grep -Ev "$IRRELEVANT" || true; }
  local base
  base=$(mktemp -d)
  QT_QPA_PLATFORM=offscreen build/dist/cvsecurity-console/cvsecurity-console --demo --self-test --basedir "$base"
  rm -rf "$base"
}

lint_imports() {
  # import-linter prints a banner and every contract; show its verdict, and everything when a contract breaks
  local out
  out=$("$VENV/bin/lint-imports" 2>&1) || { echo "$out"; return 1; }
  echo "$out" | tail -n 1
}

package() {
  # The bundle, then the .deb around it (packaging/linux/build-deb.sh); prints both sizes, then unpacks the
  # .deb with dpkg-deb -x (no system install) and runs the unpacked bundle's --demo --self-test.
  bundle
  local deb tmp
  deb=$(packaging/linux/build-deb.sh)
  echo "bundle: $(du -sm build/dist/cvsecurity-console | cut -f1) MB (limit 150 MB); package: $deb, $(du -m "$deb" | cut -f1) MB"
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp/root"
  QT_QPA_PLATFORM=offscreen "$tmp/root/opt/cvsecurity-console/cvsecurity-console" --demo --self-test \
    --basedir "$tmp/base"
  rm -rf "$tmp"
}

build_wheel() {
  # The wheel, built from a copy of the sources (a stale build/lib in the checkout would ship deleted
  # modules) with the venv's setuptools (no build isolation: no download). Prints the wheel's path.
  local out=$1 src
  src=$(mktemp -d)
  cp -r pyproject.toml README.md console resources "$src/"
  find "$src" -name __pycache__ -prune -exec rm -rf {} +
  "$VENV/bin/python" -m pip wheel --quiet --no-deps --no-build-isolation -w "$out" "$src" >&2
  rm -rf "$src"
  ls "$out"/cvsecurity_console-*.whl
}

self_test_outside() {
  # $1: a python whose installed console (not this checkout's) must pass --demo --self-test; $2: where it
  # should come from; extra environment before the command (PYTHONPATH=...) via env.
  local python=$1 expect=$2 away found
  away=$(mktemp -d)
  found=$(cd "$away" && "$python" -c 'import console; print(console.__file__)')
  case "$found" in
    "$expect"/*) ;;
    *) echo "expected the installed console under $expect, imported $found" >&2; rm -rf "$away"; return 1 ;;
  esac
  (cd "$away" && "$python" -m console --demo --self-test --basedir "$away/base")
  rm -rf "$away"
}

wheel_check() {
  # pip install . (not editable) must carry everything, the top-level resources/ folder included.
  local tmp wheel
  tmp=$(mktemp -d)
  wheel=$(build_wheel "$tmp/dist")
  "$VENV/bin/python" -m pip install --quiet --no-deps --no-index --target "$tmp/site" "$wheel"
  PYTHONPATH="$tmp/site" self_test_outside "$PWD/$VENV/bin/python" "$tmp/site"
  rm -rf "$tmp"
}

find_python313() {
  local candidate
  for candidate in "${PYTHON313:-}" python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3.13 \
      /root/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

py313_check() {
  # Python 3.13 gets PySide6 6.12: the Qt-free suite, and the wheel installed (not editable) into a venv of
  # its own passing --demo --self-test outside the checkout. The venv lives in build/ and is set up once.
  local py venv=build/venv-py3.13 tmp wheel stamp
  if ! py=$(find_python313); then
    echo "python 3.13 not found (set PYTHON313, or: pyenv install 3.13): SKIPPED the Python 3.13 checks"
    return 0
  fi
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  tmp=$(mktemp -d)
  wheel=$(build_wheel "$tmp/dist")
  stamp="$venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "setting up $venv (first run: a few minutes; log in $venv/setup.log)"
    { "$venv/bin/python" -m pip install --upgrade pip && "$venv/bin/python" -m pip install "$wheel[test]"; } \
      > "$venv/setup.log" 2>&1 ||
      { tail -n 40 "$venv/setup.log"; echo "setup of $venv failed: see $venv/setup.log" >&2; exit 1; }
    rm -f "$venv"/.installed-*
    touch "$stamp"
  fi
  "$venv/bin/python" -m pip install --quiet --no-deps --force-reinstall "$wheel"
  rm -rf "$tmp"
  self_test_outside "$PWD/$venv/bin/python" "$PWD/$venv/lib"
  "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/api tests/sim tests/services
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  demo)
    setup "test,package"
    exec "$VENV/bin/python" -m console --demo "$@"
    ;;
  sim)
    setup "test,package"
    exec "$VENV/bin/python" -m console.sim "$@"
    ;;
  test)
    setup "test,package"
    export QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
    echo "== ruff";         "$VENV/bin/ruff" check .
    echo "== mypy";         "$VENV/bin/mypy"
    echo "== import-linter"; lint_imports
    echo "== package";      package
    echo "== wheel";        wheel_check
    echo "== python 3.13";  py313_check
    echo "== pytest";       "$VENV/bin/python" -m pytest "$@"   # last: CI reads its closing line
    ;;
  bundle)
    setup "test,package"
    bundle
    ;;
  package)
    setup "test,package"
    package
    ;;
  soak)
    setup "test,package"
    exec "$VENV/bin/python" tools/soak.py "$@"
    ;;
  bench)
    setup "test,package"
    exec "$VENV/bin/python" tools/bench.py "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo|sim|test|bundle|package|soak|bench [args]" >&2
    exit 2
    ;;
esac
