#!/usr/bin/env bash
# rc-kills.sh [--seeds "1 2 ... 10"] [--props BINARY]: RapidCheck test cases until each
# fault's property first fails (the FaultKill tests of props/fault_kills_test.cpp, run
# once per seed through FINRIG_KILL_SEED), and the median over the seeds. Prints a
# table: fault, cases per seed, median; "-" where the budget (1000 cases) ran out.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
cd "$(dirname "$0")/.."
seeds="1 2 3 4 5 6 7 8 9 10" props=build/props/finrig_props_tests
while (($#)); do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --props) props=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "rc-kills: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ -x $props ]] || { echo "rc-kills: no $props (cmake --build --preset default)" >&2; exit 2; }
work=$(mktemp -d -t finrig-rckills.XXXXXX)
trap 'rm -rf "$work"' EXIT
for seed in $seeds; do
  # "[ kill    ] NAME: invariant I, after N passing cases, shrunk to K ops"; a fault
  # not found prints no such line (and fails the test: the exit status is ignored).
  { FINRIG_KILL_SEED=$seed "$props" --gtest_filter='AllFaults/FaultKill.*' 2>&1 || true; } |
    sed -n 's/^\[ kill    \] \([^:]*\): .* after \([0-9]*\) passing cases.*/\1 \2/p' |
    awk -v seed="$seed" '{print $1, seed, $2 + 1}' >>"$work/cases"
done
nseeds=$(wc -w <<<"$seeds")
printf '%-28s %-32s %s\n' fault "cases to first failure, per seed" median
for fault in $(build/tools/finrig faults); do
  per=$(awk -v f="$fault" '$1 == f {printf "%s ", $3}' "$work/cases")
  # Misses count as infinitely many cases: the median is "-" when half or more missed.
  median=$(awk -v f="$fault" -v n="$nseeds" '$1 == f {print $3}' "$work/cases" | sort -n |
    awk -v n="$nseeds" '{v[NR] = $1} END {
      a = int((n + 1) / 2); b = int(n / 2) + 1
      if (b > NR) print "-"; else printf "%g\n", (v[a] + v[b]) / 2 }')
  found=$(awk -v f="$fault" '$1 == f' "$work/cases" | wc -l)
  printf '%-28s %-32s %s\n' "$fault" "${per:-none}($found/$nseeds found)" "$median"
done
