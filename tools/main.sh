#!/usr/bin/env bash
# The main job: installs what it needs, builds the fuzz preset (clang 14, libFuzzer,
# ASan + UBSan), checks the shipped corpus on the model, then fuzzes the model from
# that corpus for a bounded time and reports exec/s, coverage, corpus size and every
# finding as a .fr program. Exit status: 0 nothing found, 1 a finding, 2 usage.
#
#   bash tools/main.sh [--seconds N] [--fault NAME]... [--until-stopped]
#     --seconds N      how long to fuzz (default 60)
#     --fault NAME     fuzz a deliberately broken model (see `finrig faults`): the job
#                      should then find something
#     --until-stopped  fuzz on every core until Ctrl-C, keeping the corpus and one
#                      report per distinct bug in fuzz-runs/model_fuzzer: the long local
#                      run, tools/fuzz-forever.sh (its --help has the options)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "$0")/.."

seconds=60
faults=()
until_stopped=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --fault) faults+=("${2:?--fault needs a name}"); shift 2 ;;
    --until-stopped) until_stopped=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "main.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "main.sh: --seconds takes a whole number" >&2; exit 2; }
if [ "$until_stopped" = 1 ]; then
  fault_args=()
  for f in "${faults[@]}"; do fault_args+=(--fault "$f"); done
  exec bash tools/fuzz-forever.sh "${fault_args[@]}"
fi

bash tools/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
build=build-fuzz
finrig=$build/tools/finrig
fault_list=$(IFS=,; echo "${faults[*]}")

echo "== corpus: every shipped program on the model"
fault_flags=()
for f in "${faults[@]}"; do fault_flags+=(--fault "$f"); done
mapfile -t programs < <(find corpus -name '*.fr' | sort)
"$finrig" run --quiet "${fault_flags[@]}" "${programs[@]}" | tail -n 5 || true

# The working corpus grows across runs; findings go to their own folder per run.
work=$build/fuzz-corpus/model_fuzzer
findings=$build/findings/$(date +%Y%m%d-%H%M%S)
mkdir -p "$work" "$findings"
log=$findings/fuzzer.log
echo "== fuzzing model_fuzzer for ${seconds}s${fault_list:+ with faults $fault_list} (log: $log)"
status=0
FINRIG_FAULTS="$fault_list" "$build/fuzz/model_fuzzer" "$work" "$build/fuzz/seeds/binary" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$findings/" >"$log" 2>&1 || status=$?

execs=$(fuzz_stat number_of_executed_units "$log" "?")
rate=$(fuzz_stat average_exec_per_sec "$log" "?")
cov="?" ft="?"
fuzz_coverage "$log"
echo "executions: $execs   exec/s: $rate   coverage: $cov edges, $ft features   corpus: $(ls "$work" | wc -l) inputs"

found=0
for crash in "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* "$findings"/oom-*; do
  [ -e "$crash" ] || continue
  found=$((found + 1))
  program=$crash.fr
  # Minimized while the same invariants still fail; the raw decoding if that is not
  # possible (a crash that is not an invariant violation).
  "$finrig" decode "$crash" -o "$crash.raw.fr"
  if ! "$finrig" minimize "$crash.raw.fr" "${fault_flags[@]}" -o "$program" 2>"$crash.minimize.log"; then
    cp "$crash.raw.fr" "$program"
  fi
  echo "== finding: $program"
  sed -n '/^finrig: /,/^program:/p' "$log" | sed '$d'
  cat "$crash.minimize.log"
  cat "$program"
done
if [ "$found" -gt 0 ]; then
  echo "main: $found finding(s) in $findings; 'finrig run --trace FILE.fr' replays each"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "main: the fuzzer stopped with status $status and no finding; see $log" >&2
  exit 2
fi
echo "main: no finding in ${seconds}s"
