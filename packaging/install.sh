#!/bin/sh
# Parallax Reader: install the unpacked bundle, or remove it again.
#
#   ./install.sh               as a user: into ~/.local; as root: into /opt and /usr/local
#   ./install.sh --user        force a per-user install (as root too)
#   ./install.sh --uninstall   remove what an earlier install put in place (same user/root choice)
#   <program folder>/uninstall.sh   remove the install it belongs to
#   ./install.sh --prefix DIR  install the program into DIR/parallax-reader, links into DIR/bin
#
# The program folder is copied, a `parallax` link goes on the PATH, and the desktop entry,
# AppStream metadata and icons are registered so the app appears in the desktop's menu.
# Every file placed is listed in <program folder>/installed-files.txt, which --uninstall reads.
set -eu

APP_ID=io.github.parallaxreader.ParallaxReader
HERE=$(cd "$(dirname "$0")" && pwd)
say() { printf 'install.sh: %s\n' "$*" >&2; }

mode=install
scope=auto
prefix=""
while [ $# -gt 0 ]; do
    case "$1" in
        --uninstall) mode=uninstall ;;
        --user) scope=user ;;
        --system) scope=system ;;
        --prefix) shift; prefix="${1:?--prefix needs a folder}"; scope=prefix ;;
        --prefix=*) prefix="${1#--prefix=}"; scope=prefix ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown option: $1 (try --help)"; exit 2 ;;
    esac
    shift
done
if [ "$scope" = auto ]; then
    if [ "$(id -u)" = 0 ]; then scope=system; else scope=user; fi
fi

case "$scope" in
    user)
        share="${XDG_DATA_HOME:-$HOME/.local/share}"
        appdir="$share/parallax-reader/app"
        bindir="$HOME/.local/bin"
        ;;
    system)
        share=/usr/local/share
        appdir=/opt/parallax-reader
        bindir=/usr/local/bin
        ;;
    prefix)
        share="$prefix/share"
        appdir="$prefix/parallax-reader"
        bindir="$prefix/bin"
        ;;
esac
manifest="$appdir/installed-files.txt"
if [ -f "$HERE/installed-files.txt" ]; then
    # This is the installed copy (uninstall.sh): it removes the install it belongs to.
    mode=uninstall
    appdir="$HERE"
    manifest="$appdir/installed-files.txt"
    desktop=$(grep "/applications/$APP_ID.desktop\$" "$manifest" || true)
    [ -n "$desktop" ] && share=$(dirname "$(dirname "$desktop")")
fi

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$share/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
    fi
}

uninstall() {
    if [ ! -f "$manifest" ]; then
        say "nothing to remove: $manifest not found"
        return 1
    fi
    while IFS= read -r path; do
        [ -n "$path" ] && rm -f "$path"
    done < "$manifest"
    rm -rf "$appdir"
    parent=$(dirname "$appdir")
    if [ "$(basename "$parent")" = parallax-reader ]; then rmdir "$parent" 2>/dev/null || true; fi
    refresh_caches
    say "removed Parallax Reader from $appdir (your notes and settings are kept)"
}

if [ "$mode" = uninstall ]; then
    uninstall
    exit $?
fi

if [ ! -x "$HERE/parallax" ] || [ ! -d "$HERE/_internal" ]; then
    say "run me from the unpacked ParallaxReader folder (parallax and _internal/ beside me)"
    exit 2
fi
if [ -f "$manifest" ]; then
    say "replacing the earlier install in $appdir"
    uninstall >/dev/null 2>&1 || true
fi

res="$HERE/_internal/resources"
mkdir -p "$appdir" "$bindir" "$share/applications" "$share/metainfo"
cp -R "$HERE/parallax" "$HERE/_internal" "$appdir/"
cp "$HERE/install.sh" "$appdir/uninstall.sh"
chmod 755 "$appdir/uninstall.sh"
: > "$manifest.tmp"
placed() { printf '%s\n' "$1" >> "$manifest.tmp"; }

ln -sf "$appdir/parallax" "$bindir/parallax"
placed "$bindir/parallax"

# The desktop entry names the program by its full path: ~/.local/bin is not always on a session's PATH.
sed -e "s|^Exec=parallax|Exec=$appdir/parallax|" -e "s|^TryExec=parallax|TryExec=$appdir/parallax|" \
    "$res/desktop/$APP_ID.desktop" > "$share/applications/$APP_ID.desktop"
placed "$share/applications/$APP_ID.desktop"
cp "$res/desktop/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
placed "$share/metainfo/$APP_ID.metainfo.xml"

for png in "$res"/icons/hicolor/*/apps/"$APP_ID".png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    mkdir -p "$share/icons/hicolor/$size/apps"
    cp "$png" "$share/icons/hicolor/$size/apps/$APP_ID.png"
    placed "$share/icons/hicolor/$size/apps/$APP_ID.png"
done
mkdir -p "$share/icons/hicolor/scalable/apps"
cp "$res/icons/parallax.svg" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
placed "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
mv "$manifest.tmp" "$manifest"
refresh_caches

say "installed Parallax Reader into $appdir"
say "start it from the desktop menu or with: $bindir/parallax"
case ":$PATH:" in
    *":$bindir:"*) ;;
    *) say "note: $bindir is not on your PATH; add it, or use the full path above" ;;
esac
say "remove it with: $appdir/uninstall.sh"
