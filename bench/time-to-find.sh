#!/usr/bin/env bash
# time-to-find.sh [--seconds T] [--seeds "1 2 3 4 5"] [--faults "a b"] [--build DIR]
#                 [--args "-dict=..."] [--searches "V ..."] [--work DIR]: search power
# from nothing. For each
# fault of `finrig faults`, byte mutation (model_fuzzer) and the structure-aware mutator
# (model_mutator_fuzzer) fuzz the broken model from an EMPTY corpus for up to T seconds
# (default 20), once per libFuzzer seed (--searches: only these of the two); prints per fault and search: found/N, the
# median and the worst seconds to the first finding (">T" when that run or the median
# one missed). tools/fuzz-compare.sh does the runs (restarts on a finding the clean
# model shares, etc.); this script only counts them. The table BENCHMARKS.md quotes:
#   bench/time-to-find.sh --seconds 20 --seeds "1 2 3 4 5"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
cd "$(dirname "$0")/.."
seconds=20 seeds="1 2 3 4 5" faults="" build=build-fuzz args="" work=""
searches="model_fuzzer model_mutator_fuzzer"
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --faults) faults=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --args) args=$2; shift 2 ;;
    --searches) searches=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "time-to-find: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [[ -n $work ]]; then
  mkdir -p "$work"
else
  work=$(mktemp -d -t finrig-ttf.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
echo "time-to-find: $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
tools/fuzz-compare.sh --build "$build" --no-coverage --from empty --seeds "$seeds" \
  --fault-seconds "$seconds" --variants "$searches" ${faults:+--faults "$faults"} ${args:+--args "$args"} --work "$work" >"$work/compare.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# faults-empty.txt: "FAULT VARIANT SECONDS EXECS FOUND OTHER" per run; SECONDS is inf
# for a miss, which sorts last, so the median and the worst count it as such.
awk -v T="$seconds" -v searches="$searches" '
  function cell(f, v,   n, k, i, j, t, s, a, b, m) {
    n = runs[f, v]; k = found[f, v]
    for (i = 1; i <= n; i++) s[i] = secs[f, v, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j - 1] + 0 > s[j] + 0; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t }
    a = s[int((n + 1) / 2)]; b = s[int(n / 2) + 1]
    m = (a == "inf" || b == "inf") ? ">" T : sprintf("%.1f", (a + b) / 2)
    return sprintf("%d/%d | %s | %s", k, n, m, s[n] == "inf" ? ">" T : sprintf("%.1f", s[n]))
  }
  BEGIN { nv = split(searches, v, " ")
    name["model_fuzzer"] = "byte"; name["model_mutator_fuzzer"] = "structure-aware" }
  { if (!($1 in seen)) { seen[$1] = 1; order[++nf] = $1 }
    i = ++runs[$1, $2]; secs[$1, $2, i] = ($3 == "inf" ? "inf" : $3); found[$1, $2] += $5
    total[$2] += $5; all[$2]++ }
  END {
    head = "| fault"; rule = "|---"; last = "| all"
    for (j = 1; j <= nv; j++) {
      head = head " | " name[v[j]] ": found | median s | worst s"; rule = rule "|---|---|---"
      last = last sprintf(" | %d/%d | |", total[v[j]], all[v[j]])
    }
    print head " |"; print rule "|"
    for (i = 1; i <= nf; i++) {
      row = "| " order[i]
      for (j = 1; j <= nv; j++) row = row " | " cell(order[i], v[j])
      print row " |"
    }
    print last " |"
  }' "$work/faults-empty.txt"
