#!/usr/bin/env bash
# finrig campaign from outside: usage and exit codes; the model as the engine, clean
# (nothing new), with its oracle broken (--fault: finrig blamed) and with the engine
# broken (--engine-fault: the engine blamed); then a cache of stand-in node versions (the
# system node, two of them with an engine fault preloaded) for the bisection over
# versions, known bugs, the default engine set, and an engine that cannot run. Reports
# are read with jq.
#   campaign_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export FINRIG_ENGINES_DIR=$work/engines

source "$src/tests/lib.sh"
# expect STATUS PATTERN ARGS...: finrig run with ARGS (expect_output).
expect() { expect_output "$1" "$2" "$finrig" "${@:3}"; }
# check DIR JQ-EXPRESSION: the expression must be true of DIR/report.json.
check() {
  jq -e "$2" "$1/report.json" >/dev/null || { cat "$1/report.md"; fail "$1/report.json: not $2"; }
}

fault_program=$src/corpus/faults/double-delivery.fr
one=$src/corpus/one-token-many-cells.fr

echo "== usage"
expect 0 'Exit status: 0 no new bug, 1 new bugs' campaign --help
expect 2 'jobs must be at least 1' campaign --engine model --corpus "$one" --jobs 0 -o "$work/u"
expect 2 "unknown engine 'v8'" campaign --engine v8 --corpus "$one" -o "$work/u"
expect 2 'node@98 is not installed' campaign --engine node@98 --corpus "$one" -o "$work/u"
expect 2 'model is in the campaign already' campaign --engine model --engine model --corpus "$one" -o "$work/u"
expect 2 'nowhere: cannot open file' campaign --engine model --corpus "$work/nowhere" -o "$work/u"
mkdir "$work/empty"
expect 2 'nothing to run' campaign --engine model --corpus "$work/empty" -o "$work/u"

echo "== the model, clean: nothing new"
expect 0 '^campaign: 1 engines, 0 new bug' \
  campaign --engine model --corpus "$fault_program" --programs 30 --seed 1 -o "$work/clean"
grep -q 'campaign: model: 31 programs' "$work/out" || { cat "$work/out"; fail "no progress line"; }
check "$work/clean" '.engines == [.engines[0]] and .engines[0].engine == "model" and
  .engines[0].programs == 31 and .engines[0].bugs == [] and .corpus == 1 and .programs == 30'

echo "== the oracle broken: finrig is blamed, one new bug per symptom however many programs show it"
# Most mutants show the double delivery as invariant 5; a few first as another symptom
# (a callback that registers again: invariant 4; an engine that delivered before the
# model would: a disagreement), each one bug of its own.
expect 1 'new bug' campaign --engine model --fault double-delivery --corpus "$fault_program" \
  --programs 30 --seed 1 -q -o "$work/oracle"
check "$work/oracle" '.engines[0].bugs | map(select(.signature | startswith("finrig invariant 5 "))) |
  length == 1'
check "$work/oracle" '.engines[0].bugs | all(.blame == "finrig" or .blame == "disagree")'
check "$work/oracle" '.engines[0].bugs[0] | .blame == "finrig" and .status == "new" and
  .reproduced == 3 and .runs == 3 and .known == null and .versions == null and
  (.signature | startswith("finrig invariant 5 at turn | "))'
check "$work/oracle" '.engines[0].discrepancies == ([.engines[0].bugs[].count] | add) and
  .engines[0].new == (.engines[0].bugs | length)'
program=$(jq -r '.engines[0].bugs[0].program' "$work/oracle/report.json")
[ -f "$program" ] || fail "the minimized program $program is not there"
grep -Eq '^\| new \| `finrig invariant 5 at turn \\\| .*` \| finrig \| [0-9]+( \([0-9]+ alike, not minimized\))? \| 3/3 \| +\| \[0001-finrig\.fr\]\(model/0001-finrig\.fr\) \[0001-finrig\.js\]\(model/0001-finrig\.js\) \|$' \
  "$work/oracle/report.md" || { cat "$work/oracle/report.md"; fail "report.md has no line for the bug"; }
# Past the first three minimized to one signature, the rest are counted with it as found;
# --reduce-alike 0 minimizes every one.
check "$work/oracle" '.engines[0].bugs[0] | .alike > 0 and .alike < .count'
expect 1 'new bug' campaign --engine model --fault double-delivery --corpus "$fault_program" \
  --programs 30 --seed 1 --reduce-alike 0 -q -o "$work/every"
check "$work/every" '[.engines[0].bugs[].alike] | all(. == 0)'
check "$work/every" '.engines[0].discrepancies == ([.engines[0].bugs[].count] | add)'

echo "== the engine broken: the engine is blamed"
# --strict: the model as an engine then delivers all it owes, so the fault shows
# whatever the engine's seed draws.
expect 1 '1 new bug' campaign --engine model --engine-fault double-delivery --strict \
  --corpus "$fault_program" -q -o "$work/engine"
check "$work/engine" '.engines[0].bugs[0] | .blame == "engine" and .status == "new"'

echo "== stand-in versions: the bug's range by bisection"
# stand_in VERSION COMMAND: node@VERSION in the cache, whose binary runs COMMAND.
stand_in() {
  local folder=$FINRIG_ENGINES_DIR/node@$1
  mkdir -p "$folder/bin"
  printf '%s\n' '#!/bin/sh' "$2" >"$folder/bin/node"
  chmod +x "$folder/bin/node"
  printf 'name node\nversion %s\npackage stand-in\nentry bin/node\ndetected node %s, a stand-in\n' \
    "$1" "$1" >"$folder/finrig-engine"
}
faulty="exec node --require $src/tests/engine-faults/unregister-answers-false.js \"\$@\""
stand_in 97.0.0 'exec node "$@"'
stand_in 97.1.0 "$faulty"
stand_in 97.2.0 "$faulty"
stand_in 97.3.0 'exec node "$@"'
expect 1 '1 new bug' campaign --engine node@97.1.0 --engine node@97.3.0 --corpus "$one" -q \
  -o "$work/versions"
check "$work/versions" '.engines | map(.engine) == ["node@97.1.0", "node@97.3.0"]'
check "$work/versions" '.engines[0].bugs[0] | .status == "new" and .reproduced == 3 and
  .versions.first == "97.1.0" and .versions.last == "97.2.0" and .versions.installed == 4'
check "$work/versions" '.engines[1].bugs == []'
grep -Fq '| 97.1.0 to 97.2.0 of 4 installed |' "$work/versions/report.md" ||
  { cat "$work/versions/report.md"; fail "report.md has no version range"; }
# Its report: the standalone repro passes on node and fails on the faulty versions.
repro=$(jq -r '.engines[0].bugs[0].report[] | select(endswith(".js") and (endswith(".test262.js") | not))' \
  "$work/versions/report.json")
[ "$(node --expose-gc "$repro" | tail -n 1)" = PASS ] || fail "$repro does not pass on node"
[[ "$(node --expose-gc --require "$src/tests/engine-faults/unregister-answers-false.js" "$repro" |
     tail -n 1)" == FAIL* ]] || fail "$repro passes on the faulty node"

echo "== known bugs: V8's stall is known on node 18-24, new on a later version"
# Both stand-ins are the system node (20, which stalls): only the version differs.
stand_in 20.0.0 'exec node "$@"'
stand_in 26.0.0 'exec node "$@"'
stall=$src/corpus/engines/v8-stall-after-dirty-registry-dies.fr
expect 0 '0 new bug' campaign --engine node@20.0.0 --strict --corpus "$stall" -q -o "$work/known"
check "$work/known" '.engines[0].bugs[0] | .status == "known" and
  .known == "v8-stall-after-dirty-registry-dies" and .signature == "engine stalled | register gc"'
grep -Fq '| known: v8-stall-after-dirty-registry-dies | `engine stalled \| register gc` |' \
  "$work/known/report.md" || { cat "$work/known/report.md"; fail "report.md: not labelled known"; }
expect 1 '1 new bug' campaign --engine node@26.0.0 --strict --corpus "$stall" -q -o "$work/unknown"
check "$work/unknown" '.engines[0].bugs[0] | .status == "new" and .known == null'
rm -r "$FINRIG_ENGINES_DIR/node@20.0.0" "$FINRIG_ENGINES_DIR/node@26.0.0"

echo "== the default set: every installed version and the system node; one cannot run"
stand_in 96.0.0 'echo "node 96.0.0"'
expect 2 'engines that could not run' campaign --corpus "$one" -q -o "$work/all"
check "$work/all" '[.engines[].engine] | contains(["node", "node@96.0.0", "node@97.0.0",
  "node@97.1.0", "node@97.2.0", "node@97.3.0"])'
check "$work/all" '.engines[] | select(.engine == "node@96.0.0") | .error != null'
check "$work/all" '[.engines[] | select(.new > 0) | .engine] == ["node@97.1.0", "node@97.2.0"]'
grep -q '| node@96.0.0 | could not run' "$work/all/report.md" || fail "report.md: no broken engine"
echo "campaign_test: ok"
