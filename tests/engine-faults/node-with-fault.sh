#!/bin/sh
# FINRIG_NODE for engine_diff_test.sh: node with an engine fault preloaded.
exec node --require "$FINRIG_ENGINE_FAULT" "$@"
