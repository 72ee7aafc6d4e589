#!/usr/bin/env bash
# The main job: set up when needed, then run ppcmig's main job and print its summary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" release
exec "$here/build/bin/ppcmig" demo "$@"
