#!/usr/bin/env bash
# compare-traces.sh FINRIG_A FINRIG_B CORPUS_DIR: both builds must print the same
# trace, byte for byte, for every program (determinism across compilers).
set -uo pipefail
a=$1 b=$2 dir=$3
differ=0 same=0
while IFS= read -r -d '' program; do
  if cmp -s <("$a" run --trace --quiet "$program" 2>&1) <("$b" run --trace --quiet "$program" 2>&1); then
    same=$((same + 1))
  else
    echo "traces differ: $program"
    differ=$((differ + 1))
  fi
done < <(find "$dir" -name '*.fr' -print0 | sort -z)
echo "compare-traces: $same passed, $differ failed"
[ "$differ" -eq 0 ] && [ "$same" -gt 0 ]
