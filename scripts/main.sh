#!/usr/bin/env bash
# The main job: set up when needed, then run the seed catalogue (until the matrix exists) and
# print its table — scenario, expected and actual verdict, the replay command of any that failed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" release
cd "$here"
exec "$here/build/bin/ppcmig" scenario run -j "$(nproc)" scenarios/seeds "$@"
