#!/usr/bin/env bash
# check_trace_test.sh FINRIG TRACE.wire: `finrig check` gives the recorded trace the
# verdict its header states. Header lines (before the trace):
#   # program: NAME.fr                 the program it ran (default: TRACE's stem .fr)
#   # check: --strict                  options for finrig check (default: none)
#   # verdict: accepted                or: # verdict: rejected, invariant N
#                                      or: # verdict: rejected, crashed (no end line)
#                                      or: # verdict: rejected, error (the script's own check)
set -euo pipefail
finrig=$1 trace=$2
fail() { echo "FAIL: $trace: $*" >&2; exit 1; }
dir=$(dirname "$trace")
program=$(sed -n 's/^# program: //p' "$trace")
program=${program:+$dir/$program}
program=${program:-${trace%.wire}.fr}
verdict=$(sed -n 's/^# verdict: //p' "$trace")
read -r -a options <<<"$(sed -n 's/^# check: //p' "$trace")"
[ -n "$verdict" ] || fail "no '# verdict:' line"
status=0
out=$("$finrig" check "$program" --trace "$trace" "${options[@]}") || status=$?
echo "$out"
case "$verdict" in
  accepted) [ "$status" -eq 0 ] || fail "expected accepted, got exit $status" ;;
  "rejected, invariant "*)
    [ "$status" -eq 1 ] || fail "expected rejected, got exit $status"
    invariant=${verdict#rejected, invariant }
    grep -q "engine: .*invariant $invariant " <<<"$out" || fail "not rejected for invariant $invariant" ;;
  "rejected, crashed" | "rejected, error")
    [ "$status" -eq 1 ] || fail "expected rejected, got exit $status"
    grep -q "engine: ${verdict#rejected, }" <<<"$out" || fail "not rejected as ${verdict#rejected, }" ;;
  *) fail "unknown verdict '$verdict'" ;;
esac
