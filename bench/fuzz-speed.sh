#!/usr/bin/env bash
# fuzz-speed.sh [--seconds T] [--out DIR]: model_fuzzer's speed beside libFuzzer's own.
# For each build (fuzz-nosan: no sanitizers; fuzz: ASan + UBSan), one after another on
# this machine: empty_fuzz_target (does nothing), model_fuzzer and model_mutator_fuzzer
# (the structure-aware search), each for T seconds (default 60) with -max_len=4096, the
# model targets from a fresh copy of the seeds each. Prints exec/s of each, model_fuzzer's
# ratio to the empty target (the figure that carries across machines) and the
# structure-aware target's to model_fuzzer, and writes DIR/coverage-<build>.tsv (seconds, execs, edges,
# features: model_fuzzer's status lines, timestamped as they arrive) for
# bench/plot-coverage.sh. Both builds must exist (bench/run.sh makes them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
cd "$(dirname "$0")/.."

seconds=60 out=bench/results
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz-speed: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz-speed: --seconds takes a whole number" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d -t finrig-speed.XXXXXX)
trap 'rm -rf "$work"' EXIT

# fuzz BINARY CORPUS LOG TSV: runs the fuzzer, stamping each status line with the
# seconds since the start (libFuzzer prints none) into TSV.
fuzz() {
  local bin=$1 corpus=$2 log=$3 tsv=$4 start us
  start=${EPOCHREALTIME/./}
  "$bin" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 2>&1 |
    while IFS= read -r line; do
      printf '%s\n' "$line" >>"$log"
      if [[ $line =~ $fuzz_status ]]; then
        us=$((${EPOCHREALTIME/./} - start))
        printf '%d.%06d\t%s\t%s\t%s\n' $((us / 1000000)) $((us % 1000000)) "${BASH_REMATCH[1]}" \
          "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" >>"$tsv"
      fi
    done
}

printf '%-11s %14s %14s %8s %10s %9s %7s %16s %8s\n' build "empty exec/s" "model exec/s" ratio execs edges \
  features "mutator exec/s" "/ model"
for build in fuzz-nosan fuzz; do
  dir=build-$build/fuzz
  for bin in empty_fuzz_target model_fuzzer model_mutator_fuzzer; do
    [[ -x $dir/$bin ]] || { echo "fuzz-speed: no $dir/$bin (cmake --build --preset $build)" >&2; exit 2; }
  done
  mkdir -p "$work/$build/empty" "$work/$build/corpus" "$work/$build/mutator-corpus"
  cp "$dir/seeds/binary"/* "$work/$build/corpus/"
  cp "$dir/seeds/binary"/* "$work/$build/mutator-corpus/"
  tsv=$out/coverage-$build.tsv
  printf 'seconds\texecs\tedges\tfeatures\n' >"$tsv"
  fuzz "$dir/empty_fuzz_target" "$work/$build/empty" "$work/$build/empty.log" /dev/null
  fuzz "$dir/model_fuzzer" "$work/$build/corpus" "$work/$build/model.log" "$tsv"
  fuzz "$dir/model_mutator_fuzzer" "$work/$build/mutator-corpus" "$work/$build/mutator.log" /dev/null
  empty=$(fuzz_stat average_exec_per_sec "$work/$build/empty.log")
  model=$(fuzz_stat average_exec_per_sec "$work/$build/model.log")
  mutator=$(fuzz_stat average_exec_per_sec "$work/$build/mutator.log")
  last=$(tail -n 1 "$tsv")
  printf '%-11s %14s %14s %8s %10s %9s %7s %16s %8s\n' "$build" "$empty" "$model" \
    "$(awk -v m="$model" -v e="$empty" 'BEGIN {printf "%.4f", m / e}')" \
    "$(fuzz_stat number_of_executed_units "$work/$build/model.log")" \
    "$(cut -f3 <<<"$last")" "$(cut -f4 <<<"$last")" "$mutator" \
    "$(awk -v m="$mutator" -v b="$model" 'BEGIN {printf "%.2f", m / b}')"
done
