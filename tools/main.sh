#!/usr/bin/env bash
# The main job: installs what it needs, builds the fuzz preset (clang 14, libFuzzer,
# ASan + UBSan), checks the shipped corpus on the model, then fuzzes the model from
# that corpus for a bounded time with two searches side by side (the structure-aware
# mutator and byte mutation, one process each) and reports each one's exec/s and
# coverage, the corpus size and every finding as a .fr program, with the search that
# found it. Exit status: 0 nothing found, 1 a finding, 2 usage or a fuzzer's failure.
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

# The two searches BENCHMARKS.md measures, one per core: from an empty corpus the
# structure-aware mutator finds every fault and byte mutation few ("Search power from
# nothing"), while byte mutation runs several times faster on what the seeds already
# reach. They share the working corpus, which libFuzzer re-reads every second (-reload),
# so each goes on from what the other found; the first finding stops both. The corpus
# grows across runs; findings go to their own folder per run and search.
searches=(model_mutator_fuzzer model_fuzzer)
work=$build/fuzz-corpus/model_fuzzer
findings=$build/findings/$(date +%Y%m%d-%H%M%S)
mkdir -p "$work" "$findings"
echo "== fuzzing for ${seconds}s${fault_list:+ with faults $fault_list}: ${searches[0]} (structure-aware)" \
  "and ${searches[1]} (byte mutation), one process each, sharing $work (logs: $findings/*.log)"
pids=()
for search in "${searches[@]}"; do
  mkdir -p "$findings/$search"
  FINRIG_FAULTS="$fault_list" "$build/fuzz/$search" "$work" "$build/fuzz/seeds/binary" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/$search/" >"$findings/$search.log" 2>&1 &
  pids+=($!)
done
status=0
running=("${pids[@]}")
while [ ${#running[@]} -gt 0 ]; do
  rc=0
  wait -n -p done "${running[@]}" || rc=$?
  left=()
  for pid in "${running[@]}"; do [ "$pid" = "$done" ] || left+=("$pid"); done
  running=("${left[@]}")
  if [ "$rc" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=$rc
    [ ${#running[@]} -eq 0 ] || kill "${running[@]}" 2>/dev/null || true
  fi
done

for search in "${searches[@]}"; do
  log=$findings/$search.log
  execs=$(fuzz_stat number_of_executed_units "$log" "?")
  rate=$(fuzz_stat average_exec_per_sec "$log" "?")
  cov="?" ft="?"
  fuzz_coverage "$log"
  printf '%-21s executions: %s   exec/s: %s   coverage: %s edges, %s features\n' \
    "$search" "$execs" "$rate" "$cov" "$ft"
done
echo "corpus: $(ls "$work" | wc -l) inputs in $work"

found=0
for crash in "$findings"/*/crash-* "$findings"/*/leak-* "$findings"/*/timeout-* "$findings"/*/oom-*; do
  [ -e "$crash" ] || continue
  found=$((found + 1))
  search=$(basename "$(dirname "$crash")")
  log=$findings/$search.log
  program=$crash.fr
  # Minimized while the same invariants still fail; the raw decoding if that is not
  # possible (a crash that is not an invariant violation).
  "$finrig" decode "$crash" -o "$crash.raw.fr"
  if ! "$finrig" minimize "$crash.raw.fr" "${fault_flags[@]}" -o "$program" 2>"$crash.minimize.log"; then
    cp "$crash.raw.fr" "$program"
  fi
  echo "== finding (by $search): $program"
  sed -n '/^finrig: /,/^program:/p' "$log" | sed '$d'
  cat "$crash.minimize.log"
  cat "$program"
done
if [ "$found" -gt 0 ]; then
  echo "main: $found finding(s) in $findings; 'finrig run --trace FILE.fr' replays each"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "main: a fuzzer stopped with status $status and no finding; see $findings/*.log" >&2
  exit 2
fi
echo "main: no finding in ${seconds}s"
