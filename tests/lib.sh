# What the black-box test scripts share; sourced. The caller sets $work (a scratch folder).

# expect_output STATUS PATTERN COMMAND...: runs COMMAND; its exit status must be STATUS
# and its output (both streams, kept in $work/out) must match the extended regex PATTERN.
expect_output() {
  local want=$1 pattern=$2 status=0
  shift 2
  "$@" >"$work/out" 2>&1 || status=$?
  [ "$status" -eq "$want" ] || { cat "$work/out"; echo "FAIL: $*: exit $status, expected $want" >&2; exit 1; }
  grep -Eq -- "$pattern" "$work/out" || { cat "$work/out"; echo "FAIL: $*: no '$pattern' in its output" >&2; exit 1; }
}
