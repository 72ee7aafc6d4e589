#!/usr/bin/env bash
# Every test: set up when needed, then ctest (GoogleTest, RapidCheck, pytest, conformance).
# Usage: scripts/test.sh [release|asan] [extra ctest args]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
[ $# -gt 0 ] && shift
"$here/scripts/setup.sh" "$flavour"
bdir=build; [ "$flavour" = asan ] && bdir=build-asan
cd "$here/$bdir"
exec ctest --output-on-failure -j2 "$@"
