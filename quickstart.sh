#!/usr/bin/env bash
# Parallax Reader quick start: install what is missing, then run the app or the tests.
#
#   bash quickstart.sh run [parallax options...]   # install, then start the app (bundled corpus)
#   bash quickstart.sh test [pytest options...]    # install test tools, then run the whole suite
#
# Works on a fresh Debian 12 with only python3: as root it installs python3-venv and the
# system libraries Qt needs with apt-get; the Python packages go into ./.venv.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-run}"
shift || true
VENV="${PARALLAX_VENV:-.venv}"
PY="${PYTHON:-python3}"

# System libraries Qt 6 needs: offscreen rendering (tests, screenshots) and an X11 display.
QT_OFFSCREEN_DEBS="libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfreetype6 libfontconfig1 libdbus-1-3 fonts-dejavu-core"
QT_X11_DEBS="libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1"

say() { printf 'quickstart: %s\n' "$*" >&2; }

missing_debs() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local pkg out=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || out="$out $pkg"
    done
    printf '%s' "$out"
}

apt_install() {
    local need
    need="$(missing_debs "$@")"
    [ -z "$need" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages:$need"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $need >/dev/null
    else
        say "missing system packages:$need (install them with: sudo apt-get install$need)"
    fi
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PY" -c "import venv, ensurepip" >/dev/null 2>&1; then
            apt_install python3-venv python3-pip
        fi
        say "creating $VENV"
        "$PY" -m venv "$VENV"
    fi
    local extra="$1" stamp="$VENV/.installed-$1"
    local want
    want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing Parallax Reader and its Python dependencies into $VENV"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
        if [ "$extra" = base ]; then
            "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e .
        else
            "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[$extra]"
        fi
        printf '%s' "$want" > "$stamp"
    fi
}

case "$mode" in
    run)
        apt_install $QT_OFFSCREEN_DEBS $QT_X11_DEBS
        ensure_venv base
        exec "$VENV/bin/parallax" "$@"
        ;;
    test)
        apt_install $QT_OFFSCREEN_DEBS
        ensure_venv test
        export QT_QPA_PLATFORM=offscreen
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        say "usage: bash quickstart.sh run|test [options]"
        exit 2
        ;;
esac
