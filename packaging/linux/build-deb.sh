#!/usr/bin/env bash
# Builds build/cvsecurity-console_<version>_<arch>.deb from the PyInstaller bundle in build/dist/cvsecurity-console
# (./dev.sh package runs the bundle first). dpkg-deb only: no fpm, no root (--root-owner-group).
#   /opt/cvsecurity-console/            the bundle
#   /usr/bin/cvsecurity-console         the launcher (a symlink to the bundle's executable)
#   /usr/share/applications/cvsecurity-console.desktop, /usr/share/icons/hicolor/scalable/apps/cvsecurity-console.svg
# Removing the package removes only these: the operator's data, settings and logs (~/.local/share,
# ~/.config, ~/.local/state/cvsecurity-console) are never touched, not even by purge.
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=build/dist/cvsecurity-console
[ -x "$bundle/cvsecurity-console" ] || { echo "no bundle in $bundle: run ./dev.sh package" >&2; exit 1; }
version=$(.venv/bin/python -c 'import console; print(console.__version__)')
arch=$(dpkg --print-architecture)
# The system libraries Qt needs on a desk PC (the list of dev.sh need_system_packages) and a CJK font:
# names of people and doors are often Chinese.
depends="libc6 (>= 2.34), libpulse0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxkbcommon-x11-0, libegl1, libgl1, libfontconfig1, libdbus-1-3, fonts-noto-cjk"
root=$(mktemp -d)
chmod 755 "$root"  # mktemp makes it 0700: it becomes the "/" of the package
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/cvsecurity-console"
cp -a "$bundle" "$root/opt/cvsecurity-console"
ln -s /opt/cvsecurity-console/cvsecurity-console "$root/usr/bin/cvsecurity-console"
cp packaging/linux/cvsecurity-console.desktop "$root/usr/share/applications/"
cp resources/icons/app.svg "$root/usr/share/icons/hicolor/scalable/apps/cvsecurity-console.svg"
cp packaging/README.md "$root/usr/share/doc/cvsecurity-console/README.packaging.md"
size_kb=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: cvsecurity-console
Version: $version
Section: misc
Priority: optional
Architecture: $arch
Maintainer: CVSecurity console team <console@example.invalid>
Installed-Size: $size_kb
Depends: $depends
Description: Operator console for ZKBio CVSecurity
 Live doors and gates, events and alarms, visitors, parking and spaces for
 ZKBio CVSecurity access-control servers, with a built-in training simulator
 (cvsecurity-console --demo).
CONTROL
out="build/cvsecurity-console_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$root" "$out" >/dev/null
echo "$out"
