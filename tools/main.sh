#!/usr/bin/env bash
# The main job: installs dependencies, builds finrig, runs every shipped program
# (seeds, fault programs, regressions) on the reference model and reports.
# Options after the script name go to `finrig run` (e.g. --trace, --fault NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target finrig
mapfile -t programs < <(find corpus -name '*.fr' | sort)
echo "== finrig run: ${#programs[@]} programs from corpus/"
exec build/tools/finrig run --quiet "$@" "${programs[@]}"
