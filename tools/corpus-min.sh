#!/usr/bin/env bash
# corpus-min.sh: minimize a libFuzzer corpus in place, safely.
#
#   bash tools/corpus-min.sh [-FLAG=VALUE...] FUZZER CORPUS_DIR [MORE_DIRS...]
#
# Merges CORPUS_DIR and MORE_DIRS (libFuzzer -merge=1) into a new directory next to
# CORPUS_DIR, keeping only inputs that add coverage, and only when the merge succeeded
# swaps it in: CORPUS_DIR -> backup, new -> CORPUS_DIR, backup removed. Prints the file
# counts before and after. Arguments that start with '-' go to the fuzzer (e.g.
# -max_len=4096, -rss_limit_mb=4096, -timeout=10); so does the environment
# (FINRIG_FAULTS, ASAN_OPTIONS, ...).
#
# Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops the merge, removes what it wrote and
# leaves CORPUS_DIR as it was. Killed outright (SIGKILL, power loss), CORPUS_DIR is
# still whole (or, if the kill fell between the two renames, the original sits in the
# work directory): the next run on the same CORPUS_DIR stops a merge still running
# from the killed one, puts the original back if needed, and removes the leftovers.
# The work directory is CORPUS_DIR's parent/.NAME.corpus-min.PID (same file system,
# so the swap is two renames).
#
# Exit status: 0 minimized, 1 the merge failed or another run holds the corpus
# (CORPUS_DIR untouched), 2 usage.
#
# Example:
#   bash tools/corpus-min.sh build-fuzz/fuzz/model_fuzzer build-fuzz/fuzz-corpus/model_fuzzer \
#       build-fuzz/fuzz/seeds/binary -max_len=4096
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

die() { echo "corpus-min: $2" >&2; exit "$1"; }

flags=()
positional=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    -merge=*|-merge_control_file=*) die 2 "$arg: corpus-min sets that itself" ;;
    -*) flags+=("$arg") ;;
    *) positional+=("$arg") ;;
  esac
done
[ ${#positional[@]} -ge 2 ] || die 2 "usage: corpus-min.sh [-FLAG=VALUE...] FUZZER CORPUS_DIR [MORE_DIRS...] (--help)"
fuzzer=${positional[0]}
corpus_arg=${positional[1]}
more=("${positional[@]:2}")

if [ ! -f "$fuzzer" ] || [ ! -x "$fuzzer" ]; then die 2 "$fuzzer is not an executable fuzzer"; fi
[ -n "$corpus_arg" ] || die 2 "empty CORPUS_DIR"
for dir in "${more[@]}"; do
  [ -d "$dir" ] || die 2 "$dir is not a directory"
done
# The corpus may be missing only when an earlier run was killed mid-swap (see below).
corpus=$(realpath -m -- "$corpus_arg")
parent=$(dirname -- "$corpus")
name=$(basename -- "$corpus")
prefix=$parent/.$name.corpus-min
[ -d "$parent" ] || die 2 "$parent does not exist"

count_files() { find "$1" -type f | wc -l; }

# Whether process $1 is a corpus-min run.
is_corpus_min() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'corpus-min'
}

# Leftovers of earlier runs on this corpus that were killed outright.
for stale in "$prefix".*; do
  [ -d "$stale" ] || continue
  owner=${stale##*.}
  [[ "$owner" =~ ^[0-9]+$ ]] || continue
  if [ "$owner" != $$ ] && is_corpus_min "$owner"; then
    die 1 "another corpus-min (pid $owner) is working on $corpus"
  fi
  # Its merge may still be running (its own process group): stop it, but only if that
  # process really is a merge into this work directory.
  if [ -f "$stale/fuzzer.pid" ]; then
    merge_pid=$(cat "$stale/fuzzer.pid")
    if [[ "$merge_pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$merge_pid/cmdline" ] &&
       tr '\0' ' ' <"/proc/$merge_pid/cmdline" | grep -qF -- "$stale/"; then
      kill -KILL -- "-$merge_pid" 2>/dev/null || kill -KILL "$merge_pid" 2>/dev/null || true
    fi
  fi
  # Killed between the two renames: the original is the backup.
  if [ ! -e "$corpus" ] && [ -d "$stale/old" ]; then
    mv -- "$stale/old" "$corpus"
    echo "corpus-min: restored $corpus from an interrupted run"
  fi
  rm -rf -- "$stale"
  echo "corpus-min: removed $stale, left by an interrupted run"
done
[ -d "$corpus" ] || die 2 "$corpus_arg is not a directory"

work=$prefix.$$
merged=$work/merged
merge_pid=
swapped=0

stop_merge() {
  if [ -n "$merge_pid" ]; then
    kill -KILL -- "-$merge_pid" 2>/dev/null || kill -KILL "$merge_pid" 2>/dev/null || true
    wait "$merge_pid" 2>/dev/null || true
    merge_pid=
  fi
}
on_signal() {
  trap '' INT TERM HUP
  stop_merge
  rm -rf -- "$work"
  echo "corpus-min: interrupted; $corpus is as it was" >&2
  exit "$1"
}
on_exit() {
  if [ "$swapped" = 0 ]; then
    stop_merge
    rm -rf -- "$work"
  fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
trap on_exit EXIT

mkdir -- "$work" "$merged"
chmod --reference="$corpus" -- "$merged" 2>/dev/null || true

before=$(count_files "$corpus")
others=0
for dir in "${more[@]}"; do others=$((others + $(count_files "$dir"))); done
echo "corpus-min: $corpus: $before files${more[*]:+ (+ $others in ${#more[@]} more dir(s))}"

# The merge runs in a process group of its own (libFuzzer forks an inner process for
# it) so that stopping it stops all of it.
launcher=()
if command -v setsid >/dev/null 2>&1; then launcher=(setsid --wait); fi
"${launcher[@]}" "$fuzzer" -merge=1 -merge_control_file="$work/control" "${flags[@]}" \
  "$merged" "$corpus" "${more[@]}" >"$work/merge.log" 2>&1 &
merge_pid=$!
echo "$merge_pid" >"$work/fuzzer.pid"
status=0
wait "$merge_pid" || status=$?
merge_pid=

if [ "$status" -ne 0 ]; then
  tail -n 20 "$work/merge.log" >&2
  die 1 "the merge failed (status $status); $corpus is as it was"
fi
after=$(count_files "$merged")
if [ "$after" -eq 0 ] && [ $((before + others)) -gt 0 ]; then
  tail -n 20 "$work/merge.log" >&2
  die 1 "the merge kept no input at all; $corpus is as it was"
fi

# The swap: two renames in one directory, not to be interrupted halfway.
trap '' INT TERM HUP
mv -- "$corpus" "$work/old"
mv -- "$merged" "$corpus"
swapped=1
rm -rf -- "$work"
trap - INT TERM HUP
echo "corpus-min: $corpus: $before -> $after files"
