// JS emission: a finrig program as a script a real engine runs. Handles become slots of
// an array, edges entries of a per-object Set, `gc` the host's collector, `turn` an
// await of a macrotask; every op and callback prints one line of the wire format
// (engines/wire.h), which the adapters read back into a Trace for the checker.
//
// An engine cannot be told what to collect or how to run its cleanup jobs, so the
// script runs Approximate(program): each `gc @…` becomes a full gc and each `turn`
// loses its options. The checker judges the engine against that program in acceptor
// mode, where any allowed choice passes. Results no choice can change (those before
// the program first collects or awaits) the script asserts itself.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/program.h"
#include "model/trace.h"

namespace finrig::engines {

enum class Flavor {
  Node,     // node --expose-gc: gc(), setImmediate/setTimeout, fs.writeSync
  JsShell,  // SpiderMonkey's js shell and finrig's in-process host: gc(), setTimeout, print
  Jsc,      // JavaScriptCore's jsc (--engine jsc): gc(), setTimeout, print
  Test262,  // a test262 test: $262.gc(), a macrotask, $DONE; asserts what every engine must do
  Deno,     // deno run --v8-flags=--expose-gc: gc(), setTimeout, Deno.stdout (an ES module)
  Bun,      // bun: bun:jsc's fullGC, setTimeout/setImmediate, fs.writeSync
  QuickJs,  // engines/quickjs-host.js: __finrig's print, tasks and exit; gc by allocation
};
std::string_view FlavorName(Flavor flavor);
std::optional<Flavor> FlavorFromName(std::string_view name);

// What an engine cannot be told, as "line N: what happens instead", one per op changed.
struct Approximation {
  Program program;                    // what the script runs (and the checker judges)
  std::vector<std::string> changes;   // empty when the engine runs the program as written
};
// `engine`: the profile the engine follows, when it differs from the program's
// (expectations written for the program's profile are then dropped).
Approximation Approximate(const Program& program, std::optional<Profile> engine = std::nullopt);

// A script that runs `program` (already approximated) and prints its trace.
// `name` appears in the header comment and the `begin` line.
std::string EmitScript(const Program& program, Flavor flavor, std::string_view name,
                       const std::vector<std::string>& changes = {});

// One script running many programs one after another, each with fresh handles and
// registries and its own begin/end lines (engines/shell_engine.cpp batches with this),
// checking the engine's liveness after each, lazily or not (ShellOptions::lazyCanary).
std::string EmitBatch(const std::vector<std::pair<std::string, const Program*>>& programs,
                      Flavor flavor, bool lazyCanary = false);

// The parts of every script, for flavors that assemble their own (engines/test262.h):
// the `host` object the runtime needs, the runtime (engines/runtime.js with its
// constants filled in), and the call that runs the programs, each asserting the
// results no engine choice can change.
std::string_view HostPrelude(Flavor flavor);
// A full collection where the host exports no collector (quickjs-emscripten's wasm
// builds), as a JS function expression: cyclic garbage until a cycle made first is gone.
std::string_view CollectCycles();
std::string Runtime();
std::string RunPrograms(const std::vector<std::pair<std::string, const Program*>>& programs,
                        bool lazyCanary = false);

// The results of `program`'s ops that no choice of an engine can change, which every
// script asserts (engines/js.cpp says which and why), by op.
std::map<const Op*, Completion> ChoiceFreeResults(const Program& program);
// A result in the wire spelling (runtime.js's Run.v) as a JS expression: a string, or a
// call of the script's function `spell` on the literal, for values the script spells.
std::string ResultSpelling(const Completion& result, std::string_view spell);
// A value of the program as a JS expression; identities (objects, unique symbols) come
// from handles only and are spelled undefined.
std::string JsLiteral(const Value& value);
// Bytes as a JS string literal, one UTF-16 code unit a byte.
std::string JsString(std::string_view bytes);

}  // namespace finrig::engines
