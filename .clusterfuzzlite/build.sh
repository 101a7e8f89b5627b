#!/bin/bash -eu
# ClusterFuzzLite build: the OSS-Fuzz build script, unchanged.
exec bash "$SRC/finrig/fuzz/oss-fuzz/build.sh"
