#!/usr/bin/env bash
# Installs what finrig needs to build and test, from Debian 12 packages. Quick when
# everything is there already: it asks apt only for what is missing.
set -euo pipefail
packages=(
  g++ clang-14 libclang-rt-14-dev libc++-14-dev libc++abi-14-dev cmake ninja-build zip unzip
  libgtest-dev libgmock-dev librapidcheck-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libbenchmark-dev
  libmozjs-102-dev libmozjs-78-dev pkg-config jq
  libjavascriptcoregtk-4.0-bin  # jsc, JavaScriptCore's shell (finrig diff --engine jsc)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# finrig diff --engine node needs node 20 or later (symbols as WeakMap keys); the
# machines have it from NodeSource. Debian 12's own nodejs is 18: better than none, and
# tests/engine_diff_test.sh then says what is missing.
if ! command -v node >/dev/null; then
  echo "deps: installing nodejs"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs >/dev/null
fi
