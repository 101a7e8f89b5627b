# shellcheck shell=bash
# tools/lib.sh: what the scripts in tools/ and bench/ share. Source it (it runs
# nothing): source "$(dirname "${BASH_SOURCE[0]}")/lib.sh".

# The script that sourced this, as a path that still holds after it changes directory.
finrig_script=$(realpath -- "$0")

# usage: prints the script's header comment (from line 2 to the first line that is not
# a comment) without the leading '# ': what --help shows.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$finrig_script"
}

# libFuzzer's status lines ("#4096  pulse  cov: 812 ft: 3071 corp: 97/9Kb exec/s: ..."),
# for [[ =~ ]] and grep -E; BASH_REMATCH: 1 executions, 2 edges (cov), 3 features (ft).
fuzz_status='^#([0-9]+).*cov: ([0-9]+) ft: ([0-9]+)'

# fuzz_stat NAME LOG [NONE]: the value of the stat::NAME line that libFuzzer's
# -print_final_stats=1 wrote to LOG (number_of_executed_units, average_exec_per_sec,
# ...); NONE (default: nothing) when there is none.
fuzz_stat() {
  local value
  value=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
  echo "${value:-${3:-}}"
}

# fuzz_coverage LOG: sets cov and ft (edges and features) from the last status line in
# LOG; leaves them as they were when LOG has none.
fuzz_coverage() {
  local line
  line=$(grep -E "$fuzz_status" "$1" | tail -n 1) || true
  if [[ $line =~ $fuzz_status ]]; then
    # shellcheck disable=SC2034  # the caller's
    cov=${BASH_REMATCH[2]} ft=${BASH_REMATCH[3]}
  fi
}
