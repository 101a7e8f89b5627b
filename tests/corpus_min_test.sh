#!/usr/bin/env bash
# corpus_min_test.sh TINY_FUZZER SOURCE_DIR: tools/corpus-min.sh against a small
# libFuzzer target (tests/tiny_fuzzer.cpp; TINY_FUZZER_SLEEP_MS slows it down).
#   1. a corpus with many duplicates shrinks, and what is left is the original's inputs
#      with all of its coverage;
#   2. a failing merge leaves the corpus untouched;
#   3. SIGTERM mid-merge: the corpus is byte-for-byte untouched, no work dir and no
#      merge process is left; a second run on the same corpus meanwhile is refused;
#   4. SIGKILL mid-merge: the corpus is untouched; the next run stops the orphaned
#      merge, removes the stale work dir and minimizes;
#   5. a run killed between its two renames: the next run puts the original back.
set -euo pipefail
export LC_ALL=C
fuzzer=$(realpath "${1:?usage: corpus_min_test.sh TINY_FUZZER SOURCE_DIR}")
min="$(realpath "${2:?usage: corpus_min_test.sh TINY_FUZZER SOURCE_DIR}")/tools/corpus-min.sh"

tmp=$(mktemp -d)
cleanup() {
  # Whatever merge a failed check left running (pids recorded below).
  for pid in "${started[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
started=()
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
checksums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
contents() { (cd "$1" && find . -type f -print0 | xargs -0 -r sha256sum | cut -d' ' -f1 | sort -u); }
count() { find "$1" -type f | wc -l; }
leftovers() { find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").corpus-min.*"; }
# Whether a process is running (a zombie, killed and not yet reaped, is not).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ "$state" != Z* ]]
}
# Whether any process still runs with a corpus-min work dir of corpus $1 on its command
# line (the merge, the inner processes libFuzzer forks for it).
merge_running() { pgrep -f -- "$(dirname "$1")/.$(basename "$1").corpus-min." >/dev/null; }
# Waits until corpus-min has started its merge; prints the merge's pid.
merge_pid_of() {
  local corpus=$1 file
  for _ in $(seq 1 200); do
    file=$(find "$(dirname "$corpus")" -maxdepth 2 -path "*/.$(basename "$corpus").corpus-min.*/fuzzer.pid" | sed -n 1p)
    if [ -n "$file" ] && [ -s "$file" ]; then cat "$file"; return 0; fi
    sleep 0.05
  done
  return 1
}
# N files whose contents repeat a few values (every branch of tiny_fuzzer is among them).
make_corpus() {
  local dir=$1 n=$2 values=("a" "ab" "abc" "abd" "z" "zz" "q" "" "abcabc" "b")
  mkdir -p "$dir"
  for i in $(seq 1 "$n"); do
    printf '%s' "${values[$((i % ${#values[@]}))]}" >"$dir/input-$i"
  done
}

echo "== 1. duplicates go, coverage stays"
make_corpus "$tmp/c1" 300
mkdir -p "$tmp/extra" && printf 'abc' >"$tmp/extra/one" && printf 'zq' >"$tmp/extra/two"
{ contents "$tmp/c1"; contents "$tmp/extra"; } | sort -u >"$tmp/c1.before"
if bash "$min" "$fuzzer" "$tmp/c1" "$tmp/extra" >"$tmp/c1.log" 2>&1; then
  cat "$tmp/c1.log"
  after=$(count "$tmp/c1")
  if [ "$after" -eq 0 ] || [ "$after" -ge 300 ]; then fail "300 files became $after"; fi
  contents "$tmp/c1" >"$tmp/c1.after"
  [ -z "$(comm -13 "$tmp/c1.before" "$tmp/c1.after")" ] || fail "the minimized corpus has inputs that were not in it"
  grep -qx "$(printf abc | sha256sum | cut -d' ' -f1)" "$tmp/c1.after" || fail "the input with the deepest coverage (abc) was lost"
  grep -q -- '300 -> ' "$tmp/c1.log" || fail "no before/after counts printed"
  [ -z "$(leftovers "$tmp/c1")" ] || fail "work dir left: $(leftovers "$tmp/c1")"
  [ "$(count "$tmp/extra")" = 2 ] || fail "the extra dir was changed"
else
  cat "$tmp/c1.log"
  fail "corpus-min failed on a plain corpus"
fi

echo "== 2. a failing merge changes nothing"
make_corpus "$tmp/c2" 50
checksums "$tmp/c2" >"$tmp/c2.sums"
status=0
bash "$min" /bin/false "$tmp/c2" >"$tmp/c2.log" 2>&1 || status=$?
[ "$status" = 1 ] || { cat "$tmp/c2.log"; fail "a failing merge exited $status, not 1"; }
checksums "$tmp/c2" | cmp -s - "$tmp/c2.sums" || fail "a failing merge changed the corpus"
[ -z "$(leftovers "$tmp/c2")" ] || fail "work dir left after a failing merge"
status=0
bash "$min" "$fuzzer" >/dev/null 2>&1 || status=$?
[ "$status" = 2 ] || fail "no arguments exited $status, not 2"
help=$(bash "$min" --help)
[[ "$help" == *"-merge=1"* ]] || fail "--help says nothing useful"

echo "== 3. SIGTERM mid-merge"
make_corpus "$tmp/c3" 400
checksums "$tmp/c3" >"$tmp/c3.sums"
TINY_FUZZER_SLEEP_MS=20 bash "$min" "$fuzzer" "$tmp/c3" >"$tmp/c3.log" 2>&1 &
runner=$!
if merge=$(merge_pid_of "$tmp/c3"); then
  started+=("$merge")
  sleep 1
  alive "$merge" || fail "the merge ended before it could be interrupted (make it slower)"
  # A second run on the same corpus meanwhile is refused and touches nothing.
  status=0
  bash "$min" "$fuzzer" "$tmp/c3" >"$tmp/c3.second.log" 2>&1 || status=$?
  if [ "$status" != 1 ] || ! grep -q 'another corpus-min' "$tmp/c3.second.log"; then
    cat "$tmp/c3.second.log"
    fail "a concurrent run was not refused (status $status)"
  fi
  kill -TERM "$runner"
  status=0
  wait "$runner" || status=$?
  [ "$status" = 143 ] || { cat "$tmp/c3.log"; fail "SIGTERM: exit status $status, not 143"; }
  checksums "$tmp/c3" | cmp -s - "$tmp/c3.sums" || fail "SIGTERM: the corpus changed"
  [ -z "$(leftovers "$tmp/c3")" ] || fail "SIGTERM: work dir left: $(leftovers "$tmp/c3")"
  sleep 0.2
  alive "$merge" && fail "SIGTERM: the merge (pid $merge) is still running"
  merge_running "$tmp/c3" && fail "SIGTERM: a process of the merge is still running"
else
  cat "$tmp/c3.log"
  fail "SIGTERM: the merge never started"
fi

echo "== 4. SIGKILL mid-merge, then a rerun"
make_corpus "$tmp/c4" 400
checksums "$tmp/c4" >"$tmp/c4.sums"
TINY_FUZZER_SLEEP_MS=20 bash "$min" "$fuzzer" "$tmp/c4" >"$tmp/c4.log" 2>&1 &
runner=$!
if merge=$(merge_pid_of "$tmp/c4"); then
  started+=("$merge")
  sleep 1
  kill -KILL "$runner"
  wait "$runner" 2>/dev/null || true
  checksums "$tmp/c4" | cmp -s - "$tmp/c4.sums" || fail "SIGKILL: the corpus changed"
  [ -n "$(leftovers "$tmp/c4")" ] || fail "SIGKILL: expected a stale work dir to clean up"
  alive "$merge" || fail "SIGKILL: expected the orphaned merge to be still running"
  if bash "$min" "$fuzzer" "$tmp/c4" >"$tmp/c4.rerun.log" 2>&1; then
    grep -q 'left by an interrupted run' "$tmp/c4.rerun.log" || fail "rerun: said nothing about the leftovers"
    [ -z "$(leftovers "$tmp/c4")" ] || fail "rerun: stale work dir still there: $(leftovers "$tmp/c4")"
    sleep 0.2
    alive "$merge" && fail "rerun: the orphaned merge (pid $merge) is still running"
    merge_running "$tmp/c4" && fail "rerun: a process of the orphaned merge is still running"
    after=$(count "$tmp/c4")
    if [ "$after" -eq 0 ] || [ "$after" -ge 400 ]; then fail "rerun: 400 files became $after"; fi
  else
    cat "$tmp/c4.rerun.log"
    fail "rerun after SIGKILL failed"
  fi
else
  cat "$tmp/c4.log"
  fail "SIGKILL: the merge never started"
fi

echo "== 5. killed between the two renames"
make_corpus "$tmp/c5" 20
checksums "$tmp/c5" >"$tmp/c5.sums"
# What a kill right after `mv CORPUS WORK/old` leaves: the corpus inside the work dir
# of a run that is gone (4194304 is above Linux's largest pid).
stale=$tmp/.c5.corpus-min.4194304
mkdir -p "$stale/merged"
mv "$tmp/c5" "$stale/old"
if bash "$min" "$fuzzer" "$tmp/c5" >"$tmp/c5.log" 2>&1; then
  grep -q 'restored' "$tmp/c5.log" || fail "mid-swap: did not say it restored the corpus"
  [ -z "$(leftovers "$tmp/c5")" ] || fail "mid-swap: stale work dir still there"
  [ -z "$(comm -13 <(cut -d' ' -f1 "$tmp/c5.sums" | sort -u) <(contents "$tmp/c5"))" ] ||
    fail "mid-swap: the corpus has inputs that were not in the original"
  [ "$(count "$tmp/c5")" -gt 0 ] || fail "mid-swap: the corpus is empty"
else
  cat "$tmp/c5.log"
  fail "mid-swap: the rerun failed"
fi

if [ "$failures" -gt 0 ]; then
  echo "corpus-min: $failures failure(s)"
  exit 1
fi
echo "corpus-min: all checks passed"
