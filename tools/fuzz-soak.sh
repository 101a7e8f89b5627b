#!/usr/bin/env bash
# fuzz-soak.sh [options] [TARGET...]: runs each fuzz target on the clean model for a
# fixed number of inputs, starting from its seeds (a fresh copy per target), and
# reports executions, exec/s, coverage and findings. Any finding fails the soak: on the
# clean model every one is a bug of finrig (model, checker, parser or encoder).
# Targets: default every *_fuzzer in BUILD/fuzz, one after another.
#
# Options:
#   --build DIR   a FINRIG_LIBFUZZER build (default: build-fuzz)
#   --runs N      inputs per target (default 1000000)
#   --seed S      libFuzzer -seed (default 1)
#   --work DIR    keep corpora, logs and artifacts here (default: a new temp folder)
#
# Exit status: 0 no finding, 1 a finding (artifacts named on the output), 2 usage.
# Example, the issue's "1M inputs per target" check (an hour or more for all four
# on a 2-core machine; model_mutator_fuzzer is the slow one):
#   tools/fuzz-soak.sh --runs 1000000
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=build-fuzz runs=1000000 seed=1 work=""
targets=()
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "fuzz-soak: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $runs =~ ^[0-9]+$ ]] || { echo "fuzz-soak: --runs takes a whole number" >&2; exit 2; }
if ((${#targets[@]} == 0)); then
  for t in "$build"/fuzz/*_fuzzer; do [[ -x $t ]] && targets+=("$(basename "$t")"); done
fi
((${#targets[@]})) || { echo "fuzz-soak: no fuzz targets in $build/fuzz (build with the fuzz preset)" >&2; exit 2; }
work=${work:-$(mktemp -d -t finrig-soak.XXXXXX)}
mkdir -p "$work"

# parse_fuzzer reads .fr text; every other target the binary program form.
seed_dir() { [[ $1 == parse_fuzzer ]] && echo "$build/fuzz/seeds/text" || echo "$build/fuzz/seeds/binary"; }

printf '%-22s %10s %8s %8s %8s %8s  %s\n' target execs exec/s seconds edges features findings
failed=0
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  [[ -x $bin ]] || { echo "fuzz-soak: no $bin" >&2; exit 2; }
  corpus=$work/$t/corpus artifacts=$work/$t/artifacts log=$work/$t/fuzzer.log
  rm -rf "$work/$t"
  mkdir -p "$corpus" "$artifacts"
  cp "$(seed_dir "$t")"/* "$corpus"/
  start=$SECONDS
  FINRIG_FAULTS="" "$bin" "$corpus" -runs="$runs" -seed="$seed" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  status=$?
  found=$(find "$artifacts" -type f | wc -l)
  cov="?" ft="?"
  fuzz_coverage "$log"
  printf '%-22s %10s %8s %8s %8s %8s  %s\n' "$t" "$(fuzz_stat number_of_executed_units "$log" "?")" \
    "$(fuzz_stat average_exec_per_sec "$log" "?")" $((SECONDS - start)) "$cov" "$ft" "$found"
  if ((found > 0 || status != 0)); then
    failed=1
    echo "fuzz-soak: $t stopped with status $status; log $log; artifacts:" >&2
    find "$artifacts" -type f >&2
  fi
done
echo "fuzz-soak: work directory $work"
exit $failed
