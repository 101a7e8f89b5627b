#!/usr/bin/env bash
# fuzz-forever.sh: fuzz the model until stopped, on every core, keeping the corpus and
# the findings from one run to the next, and filing each distinct bug once.
#
#   bash tools/fuzz-forever.sh [--dir DIR] [--fault NAME]... [--jobs N] [--seconds N]
#                              [--merge-every S] [--status-every S]
#                              [--fuzzer PATH --finrig PATH]
#     --dir DIR         the run's state (default fuzz-runs/model_fuzzer: outside build*/,
#                       so a clean build keeps it). Stop and start again with the same
#                       DIR to go on where it stopped.
#     --fault NAME      fuzz a deliberately broken model (see `finrig faults`); repeatable
#     --jobs N          fuzzing processes (libFuzzer -fork=N; default: every core)
#     --seconds N       stop after N seconds (default: never; Ctrl-C stops)
#     --merge-every S   minimize the corpus (tools/corpus-min.sh) after every S seconds
#                       of fuzzing, counted across restarts (default 3600)
#     --status-every S  print a status line every S seconds (default 60)
#     --fuzzer PATH --finrig PATH   use these binaries instead of building the fuzz
#                       preset (tools/main.sh's build: clang 14, ASan + UBSan) and
#                       fuzzing its model_mutator_fuzzer (the structure-aware search)
#
# In DIR:
#   corpus/            the corpus; libFuzzer names each input by its SHA-1
#   findings/ID/       one folder per distinct bug, ID its signature (`finrig signature`:
#                      the invariant, the op or callback it is about, the minimized
#                      program's shape): program.fr (minimized), trace.txt, explanation.txt
#                      (the checker's verdict and the invariant), signature.txt,
#                      first-input (the first input that showed it) and inputs.txt (one line
#                      per input that showed it: the count)
#   crashes/           inputs that failed the target, until they are filed
#   fuzzer.log         libFuzzer's output; status.log: the status lines
# A status line: time, executions (this DIR, all runs), exec/s, edges, corpus size,
# distinct findings (inputs that showed them).
#
# Stopping is safe at any point. Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the fuzzer,
# file the waiting crashes and exit 130/143/129. SIGKILL (or a power cut) loses nothing
# either: the corpus only changes by whole files (libFuzzer's writes, corpus-min.sh's
# swap by rename), findings are filed by rename, and an input leaves crashes/ only once
# filed. The next start stops what the killed run left running, renames a corpus file
# the kill cut short to its content's SHA-1, finishes an interrupted merge
# (corpus-min.sh), checks that every input the last run listed (DIR/corpus.manifest)
# is still there, and files the waiting crashes.
#
# Exit status: 0 stopped after --seconds, 1 the corpus lost an input (says which),
# 2 usage or set-up, 128+N stopped by signal N.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
repo=$(realpath -- "$(dirname "$0")/..")

die() { echo "fuzz-forever: $2" >&2; exit "$1"; }

dir=$repo/fuzz-runs/model_fuzzer
faults=()
jobs=$(nproc 2>/dev/null || echo 2)
seconds=0
merge_every=3600
status_every=60
fuzzer=
finrig=
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    --fault) faults+=("${2:?--fault needs a name}"); shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --merge-every) merge_every=${2:?--merge-every needs a number}; shift 2 ;;
    --status-every) status_every=${2:?--status-every needs a number}; shift 2 ;;
    --fuzzer) fuzzer=${2:?--fuzzer needs a path}; shift 2 ;;
    --finrig) finrig=${2:?--finrig needs a path}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die 2 "unknown argument '$1' (try --help)" ;;
  esac
done
for pair in "jobs:$jobs" "seconds:$seconds" "merge-every:$merge_every" "status-every:$status_every"; do
  [[ "${pair#*:}" =~ ^[0-9]+$ ]] || die 2 "--${pair%%:*} takes a whole number"
done
[ "$jobs" -ge 1 ] && [ "$merge_every" -ge 1 ] && [ "$status_every" -ge 1 ] ||
  die 2 "--jobs, --merge-every and --status-every must be at least 1"
if { [ -n "$fuzzer" ] && [ -z "$finrig" ]; } || { [ -z "$fuzzer" ] && [ -n "$finrig" ]; }; then
  die 2 "--fuzzer and --finrig go together"
fi
if [ -z "$fuzzer" ]; then
  # The structure-aware target: from an empty corpus it finds every fault, byte
  # mutation few (BENCHMARKS.md, "Search power from nothing"); its mutator still makes
  # libFuzzer's byte edits now and then.
  (cd "$repo" && bash tools/deps.sh && cmake --preset fuzz >/dev/null &&
   cmake --build --preset fuzz --target model_mutator_fuzzer finrig fuzz_seeds >/dev/null)
  fuzzer=$repo/build-fuzz/fuzz/model_mutator_fuzzer finrig=$repo/build-fuzz/tools/finrig
fi
fuzzer=$(realpath -m -- "$fuzzer") finrig=$(realpath -m -- "$finrig")
seeds=$(dirname "$fuzzer")/seeds/binary
[ -x "$fuzzer" ] || die 2 "$fuzzer is not an executable fuzzer"
[ -x "$finrig" ] || die 2 "$finrig is not the finrig command"
fault_flags=()
known_faults=$("$finrig" faults)  # not `finrig faults | grep -q`: pipefail, SIGPIPE
for f in "${faults[@]}"; do
  grep -qx -- "$f" <<<"$known_faults" || die 2 "unknown fault '$f' (see 'finrig faults')"
  fault_flags+=(--fault "$f")
done
fault_list=$(IFS=,; echo "${faults[*]}")

mkdir -p "$dir"
dir=$(realpath -- "$dir")
cd "$dir"
corpus=$dir/corpus crashes=$dir/crashes findings=$dir/findings
mkdir -p "$corpus" "$crashes" "$findings"

# One run per DIR. The lock's descriptor is closed for every child (9>&-), so that a
# fuzzer orphaned by a SIGKILL does not keep it.
exec 9>"$dir/lock"
flock -n 9 || die 2 "another fuzz-forever is running on $dir"

# Whether process $1 is alive and has $2 on its command line: a recorded pid is only
# acted on if it still is what it was.
is_ours() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
# state KEY [DEFAULT]: a number kept in DIR/state across runs.
state() { sed -n "s/^$1=//p" "$dir/state" 2>/dev/null | grep . || echo "${2:-0}"; }
save_state() {
  printf 'execs=%s\nfuzzed_since_merge=%s\n' "$total_execs" "$fuzzed_since_merge" >"$dir/state.tmp"
  mv -f -- "$dir/state.tmp" "$dir/state"
}
# The corpus's file names, atomically replaced: what the next start checks is still there.
write_manifest() {
  find "$corpus" -maxdepth 1 -type f -printf '%f\n' | sort >"$dir/corpus.manifest.tmp"
  mv -f -- "$dir/corpus.manifest.tmp" "$dir/corpus.manifest"
}
corpus_size() { find "$corpus" -maxdepth 1 -type f | wc -l; }

# --- What a killed run left behind. ----------------------------------------------------
for kind in fuzzer merge; do
  pid=$(cat "$dir/$kind.pid" 2>/dev/null || true)
  if [[ "$pid" =~ ^[0-9]+$ ]] && is_ours "$pid" "$dir/"; then
    echo "fuzz-forever: stopping the $kind a killed run left running (pid $pid)"
    # The fuzzer leads a process group of its own (its jobs are in it); corpus-min
    # cleans up after itself on SIGTERM.
    if [ "$kind" = fuzzer ]; then kill -KILL -- "-$pid" 2>/dev/null || true
    else kill -TERM "$pid" 2>/dev/null || true; fi
    for _ in $(seq 50); do is_ours "$pid" "$dir/" || break; sleep 0.2; done
  fi
  rm -f -- "$dir/$kind.pid"
done
rm -rf -- "$dir/tmp" "$findings"/.new-* "$dir/triage"
mkdir -p "$dir/tmp"
# A merge the kill interrupted: corpus-min.sh's next run puts the corpus back together
# (or finds it whole) and minimizes it.
interrupted_merge=0
[ -e "$dir/merging" ] && interrupted_merge=1

# A corpus file cut short by the kill: libFuzzer names inputs by their SHA-1, so a name
# that is a SHA-1 of other bytes is a write that did not finish. What it holds is still
# an input (any bytes are a program): keep it, under its own hash.
repaired=0
while IFS= read -r -d '' file; do
  name=$(basename -- "$file")
  [[ "$name" =~ ^[0-9a-f]{40}$ ]] || continue
  sum=$(sha1sum -- "$file" | cut -d' ' -f1)
  if [ "$sum" != "$name" ]; then
    if [ -e "$corpus/$sum" ]; then rm -f -- "$file"; else mv -- "$file" "$corpus/$sum"; fi
    # The list follows the rename (sed -i replaces the file whole), so that the input
    # does not count as lost below, nor at the next start if this one is killed too.
    [ ! -f "$dir/corpus.manifest" ] || sed -i "s/^$name\$/$sum/" "$dir/corpus.manifest"
    repaired=$((repaired + 1))
  fi
done < <(find "$corpus" -maxdepth 1 -type f -print0)

# Every input the last run listed must still be here, unless a merge was under way.
if [ -f "$dir/corpus.manifest" ] && [ "$interrupted_merge" = 0 ]; then
  lost=$(comm -23 <(sort -u "$dir/corpus.manifest") <(find "$corpus" -maxdepth 1 -type f -printf '%f\n' | sort) | head -n 5)
  if [ -n "$lost" ]; then
    die 1 "the corpus lost inputs listed in $dir/corpus.manifest, among them: $(echo "$lost" | tr '\n' ' ')"
  fi
fi
repairs=
[ "$repaired" -eq 0 ] || repairs="; $repaired cut short by a kill, renamed to their content's hash"
echo "fuzz-forever: $dir: corpus $(corpus_size) inputs, every listed one present$repairs"

total_execs=$(state execs)
fuzzed_since_merge=$(state fuzzed_since_merge)

# --- Filing findings. ------------------------------------------------------------------
# file_crash FILE: files one input that failed the target under its signature
# (`finrig signature`, which also minimizes it), then removes it. Interrupted at any
# point, the next call on the same input does the rest and counts it once.
file_crash() {
  local crash=$1 name kind work id text report
  name=$(basename -- "$crash")
  kind=${name%%-*}
  work=$dir/triage
  rm -rf -- "$work"
  mkdir -p "$work"
  ln -s -- "$crash" "$work/input.bin"  # finrig reads the binary form by the extension
  if ! "$finrig" signature "$work/input.bin" "${fault_flags[@]}" -o "$work/program.fr" \
       >"$work/sig" 2>/dev/null && [ -s "$work/sig" ]; then
    id=$(cut -f1 "$work/sig") text=$(cut -f2 "$work/sig")
  else
    # A crash, leak, timeout or OOM the model's checker does not see as a violation
    # (fuzzer.log has the sanitizer's report): filed by what libFuzzer called it.
    id="$kind-not-an-invariant"
    text="libFuzzer reported a $kind, and the model's run of it breaks no invariant: see fuzzer.log"
    "$finrig" decode "$crash" -o "$work/program.fr"
  fi
  report=$findings/$id
  if [ ! -d "$report" ]; then
    local new=$findings/.new-$id
    rm -rf -- "$new"
    mkdir -p "$new"
    cp -- "$work/program.fr" "$new/program.fr"
    cp -- "$crash" "$new/first-input"
    echo "$text" >"$new/signature.txt"
    # Run from inside the folder, so that the reports say "program.fr:7", not where
    # the folder was being made.
    (cd "$new" && "$finrig" run --trace "${fault_flags[@]}" program.fr >trace.txt 2>&1) || true
    {
      (cd "$new" && "$finrig" run -q "${fault_flags[@]}" program.fr 2>&1) || true
      echo
      echo "signature: $text"
      [ -z "$fault_list" ] || echo "faults injected into the model: $fault_list"
      echo "replay: finrig run --trace${fault_list:+ --fault ${fault_list//,/ --fault }} program.fr"
    } >"$new/explanation.txt"
    : >"$new/inputs.txt"
    mv -T -- "$new" "$report"
    echo "fuzz-forever: new finding $id: $text"
  fi
  grep -qxF -- "$name" "$report/inputs.txt" || echo "$name" >>"$report/inputs.txt"
  rm -f -- "$crash"
  rm -rf -- "$work"
}
# file_crashes [SECONDS]: files waiting crashes, for at most SECONDS (default: all).
file_crashes() {
  local budget=${1:-0} start=$SECONDS crash
  for crash in "$crashes"/crash-* "$crashes"/leak-* "$crashes"/timeout-* "$crashes"/oom-*; do
    [ -f "$crash" ] || continue
    # libFuzzer may still be writing the newest: a second old at least.
    [ $(( $(date +%s) - $(stat -c %Y -- "$crash") )) -ge 1 ] || continue
    file_crash "$crash"
    if [ "$budget" -gt 0 ] && [ $((SECONDS - start)) -ge "$budget" ]; then break; fi
  done
}
findings_summary() {
  local distinct=0 inputs=0 report
  for report in "$findings"/*/; do
    [ -f "$report/inputs.txt" ] || continue
    distinct=$((distinct + 1))
    inputs=$((inputs + $(wc -l <"$report/inputs.txt")))
  done
  echo "$distinct distinct ($inputs inputs)"
}

# --- Fuzzing, merging, reporting. ------------------------------------------------------
log=$dir/fuzzer.log
round_execs=0 round_rate=0 edges=? fuzzer_pid= merge_pid= log_offset=0
started=$SECONDS

status() {
  local line
  # This round's lines only: #N counts from 0 in each.
  line=$(tail -n "+$((log_offset + 1))" "$log" 2>/dev/null | grep -E '^#[0-9]+: cov: ' | tail -n 1) || true
  if [[ $line =~ ^#([0-9]+):\ cov:\ ([0-9]+).*exec/s:?\ ([0-9]+) ]]; then
    round_execs=${BASH_REMATCH[1]} edges=${BASH_REMATCH[2]} round_rate=${BASH_REMATCH[3]}
  fi
  line=$(printf '%s  up %dm%02ds  execs %d  exec/s %d  edges %s  corpus %d  findings %s' \
    "$(date +%H:%M:%S)" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) \
    $((total_execs + round_execs)) "$round_rate" "$edges" "$(corpus_size)" "$(findings_summary)")
  echo "$line" | tee -a "$dir/status.log"
}

stop_children() {
  if [ -n "$fuzzer_pid" ]; then
    kill -TERM -- "-$fuzzer_pid" 2>/dev/null || true
    wait "$fuzzer_pid" 2>/dev/null || true
    kill -KILL -- "-$fuzzer_pid" 2>/dev/null || true  # jobs that outlived their parent
    fuzzer_pid=
  fi
  if [ -n "$merge_pid" ]; then
    kill -TERM "$merge_pid" 2>/dev/null || true
    wait "$merge_pid" 2>/dev/null || true
    merge_pid=
  fi
  rm -f -- "$dir/fuzzer.pid" "$dir/merge.pid"
}
on_signal() {
  trap '' INT TERM HUP
  echo "fuzz-forever: stopping (signal); the corpus and findings stay in $dir" >&2
  stop_children
  total_execs=$((total_execs + round_execs)) round_execs=0
  save_state
  write_manifest
  # A short while only: what is left waits in crashes/ for the next start.
  file_crashes 10
  status
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

merge() {
  echo "fuzz-forever: merging the corpus ($(corpus_size) inputs)"
  : >"$dir/merging"
  local status=0
  bash "$repo/tools/corpus-min.sh" "$fuzzer" "$corpus" "$seeds" -max_len=4096 -timeout=10 \
    >>"$dir/merge.log" 2>&1 9>&- &
  merge_pid=$!
  echo "$merge_pid" >"$dir/merge.pid"
  wait "$merge_pid" || status=$?
  merge_pid=
  rm -f -- "$dir/merge.pid"
  if [ "$status" -eq 0 ]; then
    echo "fuzz-forever: $(grep -E ' -> [0-9]+ files$' "$dir/merge.log" | tail -n 1 | sed 's/^corpus-min: //')"
    fuzzed_since_merge=0
  else
    echo "fuzz-forever: the merge failed (status $status), the corpus is as it was; see $dir/merge.log" >&2
  fi
  write_manifest
  save_state
  rm -f -- "$dir/merging"
}

# A new corpus starts as the seeds, merged: from then on it holds every input the run
# needs, whatever becomes of the build folder the seeds are in.
if [ "$interrupted_merge" = 1 ] || [ "$(corpus_size)" -eq 0 ]; then merge; fi
write_manifest
file_crashes
until=
[ "$seconds" -eq 0 ] || until=", for ${seconds}s"
echo "fuzz-forever: fuzzing with $jobs job(s)${fault_list:+, faults $fault_list}$until; Ctrl-C stops"
status

while :; do
  remaining=$((merge_every - fuzzed_since_merge))
  if [ "$seconds" -gt 0 ]; then
    left=$((seconds - (SECONDS - started)))
    [ "$left" -gt 0 ] || break
    [ "$left" -lt "$remaining" ] && remaining=$left
  fi
  [ "$remaining" -lt 1 ] && remaining=1
  # A process group of its own (setsid), so that stopping it stops its jobs; TMPDIR
  # holds fork mode's scratch folder, which a kill would otherwise leave in /tmp.
  round_start=$SECONDS round_execs=0
  touch "$log"
  log_offset=$(wc -l <"$log")
  FINRIG_FAULTS="$fault_list" TMPDIR="$dir/tmp" setsid "$fuzzer" "$corpus" "$seeds" \
    -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -max_total_time="$remaining" \
    -artifact_prefix="$crashes/" >>"$log" 2>&1 9>&- &
  fuzzer_pid=$!
  echo "$fuzzer_pid" >"$dir/fuzzer.pid"
  last_status=$SECONDS
  while kill -0 "$fuzzer_pid" 2>/dev/null; do
    sleep 1 &
    wait $! || true
    if [ $((SECONDS - last_status)) -ge "$status_every" ]; then
      last_status=$SECONDS
      fuzzed_since_merge=$((fuzzed_since_merge + SECONDS - round_start)) round_start=$SECONDS
      file_crashes 20
      save_state
      write_manifest
      status
    fi
  done
  wait "$fuzzer_pid" || true
  fuzzer_pid=
  rm -f -- "$dir/fuzzer.pid"
  fuzzed_since_merge=$((fuzzed_since_merge + SECONDS - round_start))
  status >/dev/null
  total_execs=$((total_execs + round_execs)) round_execs=0
  save_state
  write_manifest
  file_crashes
  if [ "$fuzzed_since_merge" -ge "$merge_every" ]; then merge; fi
done

file_crashes
status
echo "fuzz-forever: stopped after ${seconds}s; findings:"
for report in "$findings"/*/; do
  [ -f "$report/inputs.txt" ] || continue
  printf '  %-44s %5d inputs  %s\n' "$(basename "$report")" "$(wc -l <"$report/inputs.txt")" "$(cat "$report/signature.txt")"
done
