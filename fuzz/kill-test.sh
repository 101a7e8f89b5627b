#!/usr/bin/env bash
# kill-test.sh FUZZER SEEDS_DIR FAULT [RUNS]: model_fuzzer, with FAULT injected into the
# model, must find an input that breaks an invariant within RUNS executions (default
# 200000), starting from the seed corpus without the programs written for the faults
# (corpus/faults/, seeds named faults_*), which would hand it the answer. Prints the
# time it took.
set -uo pipefail
fuzzer=$1 seeds=$2 fault=$3 runs=${4:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/findings"
find "$seeds" -maxdepth 1 -type f ! -name 'faults_*' -exec cp {} "$work/corpus/" \;
start=$(date +%s%N)
FINRIG_FAULTS="$fault" "$fuzzer" "$work/corpus" -runs="$runs" -seed=1 \
  -artifact_prefix="$work/findings/" >"$work/log" 2>&1
end=$(date +%s%N)
if ls "$work/findings"/crash-* >/dev/null 2>&1; then
  echo "kill-test: $fault found after $(( (end - start) / 1000000 )) ms"
  grep -m1 -A2 '^finrig: ' "$work/log"
  exit 0
fi
echo "kill-test: $fault NOT found in $runs runs"
tail -n 5 "$work/log"
exit 1
