#!/usr/bin/env bash
# expect_exit.sh STATUS COMMAND...: runs COMMAND and passes iff it exits with STATUS.
expected=$1
shift
"$@"
status=$?
if [ "$status" -ne "$expected" ]; then
  echo "expect_exit: '$1' exited $status, expected $expected" >&2
  exit 1
fi
