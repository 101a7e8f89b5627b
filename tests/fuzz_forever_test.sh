#!/usr/bin/env bash
# fuzz_forever_test.sh FUZZER FINRIG SOURCE_DIR [--seconds N] [--fault NAME]... [--keep DIR]:
# tools/fuzz-forever.sh as its users run it, stopped the two ways a long run stops. On
# a model with the faults injected (default: double-delivery), it fuzzes in three
# parts of about N seconds in all (default 45):
#   1. stopped with SIGINT (Ctrl-C) after 40% of N;
#   2. restarted, then killed with SIGKILL after 30% (the script's whole process group:
#      what `kill -9` or a closed terminal leaves: a fuzzer orphaned in the middle of
#      its work, and corpus-min.sh's merge if one was running);
#   3. restarted, and left to stop by itself (--seconds) after the rest.
# The corpus is merged (tools/corpus-min.sh) every N/2 s of fuzzing (counted across
# restarts), so a merge falls between the stops. Checks:
#   - after each stop, the corpus's inputs (count, and the SHA-1 of each) are all there
#     when the next run has started (a merge may only remove inputs later);
#   - each corpus file holds the bytes its name (a SHA-1) says: none was cut short;
#   - nothing the killed run started is left running once the next run has started;
#   - at the end: exactly one finding per fault injected, each a folder with a count,
#     the minimized program, its trace and explanation; the program breaks the model
#     with the faults and passes without them;
#   - an input then removed from the corpus by hand is reported at the next start.
# The acceptance run of issue 16 is:
#   bash tests/fuzz_forever_test.sh build-fuzz/fuzz/model_fuzzer build-fuzz/tools/finrig . \
#       --seconds 600 --fault double-delivery --fault callback-after-unregister
# --keep DIR runs in DIR and leaves it (default: a temporary folder, removed).
set -euo pipefail
export LC_ALL=C
usage="usage: fuzz_forever_test.sh FUZZER FINRIG SOURCE_DIR [--seconds N] [--fault NAME]... [--keep DIR]"
fuzzer=$(realpath "${1:?$usage}")
finrig=$(realpath "${2:?$usage}")
forever="$(realpath "${3:?$usage}")/tools/fuzz-forever.sh"
shift 3
seconds=45 faults=() keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --fault) faults+=("$2"); shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[ ${#faults[@]} -gt 0 ] || faults=(double-delivery)
fault_flags=()
for f in "${faults[@]}"; do fault_flags+=(--fault "$f"); done

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  tmp=$(realpath "$keep")
else
  tmp=$(mktemp -d)
fi
dir=$tmp/run
pgid=
cleanup() {
  if [ -n "$pgid" ]; then kill -KILL -- "-$pgid" 2>/dev/null || true; fi
  # The fuzzer runs in a process group of its own.
  if [ -f "$dir/fuzzer.pid" ]; then kill -KILL -- "-$(cat "$dir/fuzzer.pid")" 2>/dev/null || true; fi
  if [ -z "$keep" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
corpus_list() { (cd "$dir/corpus" && find . -maxdepth 1 -type f -printf '%f\n' | sort); }
fingerprint() { echo "$(corpus_list | wc -l) inputs, list sha256 $(corpus_list | sha256sum | cut -c1-16)"; }
# Processes, other than this script, with the run's folder on their command line.
leftovers() { pgrep -f -- "$dir/" | grep -vx "$$" || true; }

# Job control: each background job gets a process group of its own (pgid = its pid),
# as a command started from a terminal does, and SIGINT is not ignored in it (without
# job control, bash starts background commands with SIGINT ignored, and the script
# could not trap it).
set -m
# start PART SECONDS: runs fuzz-forever in the background.
start() {
  local extra=()
  [ "$2" -gt 0 ] && extra=(--seconds "$2")
  bash "$forever" --dir "$dir" --fuzzer "$fuzzer" --finrig "$finrig" --jobs 2 \
    "${fault_flags[@]}" --merge-every "$((seconds / 2))" --status-every 10 "${extra[@]}" \
    >"$tmp/part$1.log" 2>&1 &
  pgid=$!
}
# started PART: waits until the run has checked the corpus (at most 120 s).
started() {
  for _ in $(seq 600); do
    grep -q 'every listed one present' "$tmp/part$1.log" 2>/dev/null && return 0
    kill -0 "$pgid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$tmp/part$1.log"
  fail "part $1 did not start"
  return 1
}
# after_restart PART SNAPSHOT: what the previous part left is all there.
after_restart() {
  local missing
  started "$1" || return 0
  missing=$(comm -23 "$2" <(corpus_list) | wc -l)
  if [ "$missing" -ne 0 ]; then
    fail "part $1: $missing of the $(wc -l <"$2") inputs left by part $(($1 - 1)) are gone"
  else
    echo "ok: part $1 started with every one of the $(wc -l <"$2") inputs part $(($1 - 1)) left"
  fi
}
check_hashes() {
  local bad=0 file name
  while IFS= read -r name; do
    [[ "$name" =~ ^[0-9a-f]{40}$ ]] || continue
    [ "$(sha1sum <"$dir/corpus/$name" | cut -c1-40)" = "$name" ] || bad=$((bad + 1))
  done < <(corpus_list)
  if [ "$bad" -ne 0 ]; then fail "$1: $bad corpus files do not hold what their name says"; fi
}

p1=$((seconds * 4 / 10)) p2=$((seconds * 3 / 10))
p3=$((seconds - p1 - p2))
echo "fuzz-forever test: faults ${faults[*]}; ${p1}s, SIGINT; ${p2}s, SIGKILL; ${p3}s (in $tmp)"

# 1. SIGINT.
start 1 0
started 1 || exit 1
sleep "$p1"
kill -INT "$pgid"
status=0
wait "$pgid" || status=$?
pgid=
[ "$status" -eq 130 ] || fail "part 1: exit status $status after SIGINT, not 130"
sleep 1
[ -z "$(leftovers)" ] || fail "part 1: left running after SIGINT: $(leftovers | xargs -r ps -o args= -p)"
corpus_list >"$tmp/after1"
check_hashes "after SIGINT"
echo "after SIGINT: $(fingerprint); findings: $(ls "$dir/findings" | wc -l); $(tail -n 1 "$dir/status.log")"

# 2. SIGKILL of the whole session but the fuzzer (which runs in a group of its own).
start 2 0
after_restart 2 "$tmp/after1"
sleep "$p2"
kill -KILL -- "-$pgid"
wait "$pgid" 2>/dev/null || true
pgid=
corpus_list >"$tmp/after2"
orphan=$(cat "$dir/fuzzer.pid" 2>/dev/null || true)
echo "after SIGKILL: $(fingerprint); the killed run's fuzzer ${orphan:+(pid $orphan) }is $(kill -0 "${orphan:-0}" 2>/dev/null && echo "still running" || echo "not running")"

# 3. To the end.
start 3 "$p3"
after_restart 3 "$tmp/after2"
if [ -n "$orphan" ] && kill -0 "$orphan" 2>/dev/null &&
   tr '\0' ' ' <"/proc/$orphan/cmdline" 2>/dev/null | grep -qF -- "$dir/"; then
  fail "part 3 started with the killed run's fuzzer (pid $orphan) still running"
fi
# Only inputs the orphaned fuzzer wrote between the snapshot and the restart may be
# added; none may go until a merge.
status=0
wait "$pgid" || status=$?
pgid=
[ "$status" -eq 0 ] || { tail -n 20 "$tmp/part3.log"; fail "part 3: exit status $status"; }
[ -z "$(leftovers)" ] || fail "after the end: left running: $(leftovers | xargs -r ps -o args= -p)"
check_hashes "at the end"
cat "$tmp/part3.log" | sed -n '/stopped after/,$p'
merges=$(grep -c ' -> [0-9]* files$' "$dir/merge.log" 2>/dev/null || true)
echo "at the end: $(fingerprint); ${merges:-0} merge(s) done; $(tail -n 1 "$dir/status.log")"

# One finding per fault, each complete and each the fault's doing.
mapfile -t reports < <(find "$dir/findings" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sort)
if [ "${#reports[@]}" -ne "${#faults[@]}" ]; then
  fail "${#reports[@]} distinct findings for ${#faults[@]} fault(s): $(for r in "${reports[@]}"; do cat "$r/signature.txt"; done | tr '\n' ';')"
fi
for report in "${reports[@]}"; do
  for file in program.fr trace.txt explanation.txt signature.txt inputs.txt first-input; do
    [ -s "$report/$file" ] || fail "$(basename "$report") has no $file"
  done
  if "$finrig" run -q "$report/program.fr" >/dev/null 2>&1; then
    if "$finrig" run -q "${fault_flags[@]}" "$report/program.fr" >/dev/null 2>&1; then
      fail "$(basename "$report"): its program breaks nothing even with the faults"
    fi
  else
    fail "$(basename "$report"): its program fails on the model without faults"
  fi
done
leftover_crashes=$(find "$dir/crashes" -type f | wc -l)
[ "$leftover_crashes" -eq 0 ] || fail "$leftover_crashes crash(es) not filed"

set +m  # what follows runs in the foreground
# The start-up check's teeth: an input taken away behind the run's back is reported,
# by name, and the run refuses to go on (exit 1) rather than fuzz a corpus that lost it.
# sed, not head: under pipefail, head's early exit fails the pipe (SIGPIPE) once the
# list outgrows a pipe's buffer, and set -e ended the test there, with no message.
victim=$(corpus_list | sed -n 1p)
mv "$dir/corpus/$victim" "$tmp/victim"
status=0
bash "$forever" --dir "$dir" --fuzzer "$fuzzer" --finrig "$finrig" --seconds 1 >"$tmp/lost.log" 2>&1 || status=$?
echo "known bad: an input removed by hand: exit status $status"
if [ "$status" -ne 1 ] || ! grep -q "lost inputs.*$victim" "$tmp/lost.log"; then
  cat "$tmp/lost.log"
  fail "a corpus input removed between runs was not reported (status $status)"
fi
mv "$tmp/victim" "$dir/corpus/$victim"

if [ "$failures" -gt 0 ]; then
  echo "fuzz-forever test: $failures failure(s) (logs: $tmp/part*.log, $dir)"
  [ -z "$keep" ] && for part in 1 2 3; do echo "== part $part"; tail -n 15 "$tmp/part$part.log" 2>/dev/null; done
  exit 1
fi
echo "fuzz-forever test: ok: ${#reports[@]} distinct finding(s) for ${#faults[@]} fault(s), no input lost across SIGINT and SIGKILL"
