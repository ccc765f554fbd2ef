#!/usr/bin/env bash
# One entry point for newcomers and CI: sets up everything the console needs, then runs it.
#   ./dev.sh demo    the console in demo mode (embedded simulator), or the simulator alone: ./dev.sh sim
#   ./dev.sh test    lint, type checks, layering contracts, the PyInstaller bundle and its self-test, then the
#                    whole test suite (what .ci/run runs); extra arguments go to pytest
#   ./dev.sh bundle  only the PyInstaller one-folder bundle and its self-test
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
    { "$VENV/bin/python" -m pip install --upgrade pip &&
      "$VENV/bin/python" -m pip install -e ".[$1]"; } > "$VENV/setup.log" 2>&1 ||
      { tail -n 40 "$VENV/setup.log"; echo "setup failed: see $VENV/setup.log" >&2; exit 1; }
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

bundle() {
  "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/work packaging/console.spec
  local base
  base=$(mktemp -d)
  QT_QPA_PLATFORM=offscreen build/dist/cvsecurity-console/cvsecurity-console --demo --self-test --basedir "$base"
  rm -rf "$base"
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
    echo "== import-linter"; "$VENV/bin/lint-imports"
    echo "== bundle";       bundle
    echo "== pytest";       "$VENV/bin/python" -m pytest "$@"   # last: CI reads its closing line
    ;;
  bundle)
    setup "test,package"
    bundle
    ;;
  *)
    echo "usage: ./dev.sh demo|sim|test|bundle [args]" >&2
    exit 2
    ;;
esac
