#!/usr/bin/env bash
# One setup path for a fresh Debian 12 machine: install what is missing, configure, build.
# Usage: scripts/setup.sh [release|asan]   (default release; build dir build/ or build-asan/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
flavour=${1:-release}

mapfile -t pkgs < <(grep -v '^\s*#' scripts/deps.txt | grep -v '^\s*$')
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

case "$flavour" in
    release) bdir=build; extra=(-DCMAKE_BUILD_TYPE=Release) ;;
    asan) bdir=build-asan; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPCMIG_SANITIZE=ON) ;;
    *) echo "setup: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
if [ ! -f "$bdir/build.ninja" ]; then
    cmake -S . -B "$bdir" -G Ninja "${extra[@]}" \
        -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
        -DPython_EXECUTABLE=/usr/bin/python3
fi
cmake --build "$bdir" -j2
