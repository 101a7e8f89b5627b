#include "engines/profiles.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace finrig::engines {
namespace {

namespace fs = std::filesystem;

// Both QuickJS variants are wasm builds of one package, run by one host.
constexpr std::string_view kQuickJsHow =
    "engines/quickjs-host.js in the system node, from the engines cache (tools/engines.sh); "
    "gc() allocates cyclic garbage until a sentinel dies";

constexpr std::array kProfiles = {
    EngineProfile{
        .name = "node",
        .engine = "V8, as in Node.js 20 (checked with v20.20.2)",
        .how = "node --expose-gc, a batch of programs per process (FINRIG_NODE names the binary)",
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "gc() is a full, precise collection; cleanup tasks run from the event loop, "
                 "in no fixed order, and after a callback throws the rest come in a later task; "
                 "a registry that dies with a job pending stops all cleanup in the isolate "
                 "(corpus/engines/), which --strict reports",
    },
    EngineProfile{
        .name = "deno",
        .engine = "V8, as in Deno (checked with deno@1.46.3, V8 12.9, and deno@2.9.6, V8 15.0)",
        .how = "deno run --v8-flags=--expose-gc from the engines cache (tools/engines.sh), a "
               "batch of programs per process",
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "as node: gc() is V8's full, precise collection, cleanup tasks come from the "
                 "event loop, and after a callback throws the rest come in a later task (seen "
                 "in 1.46.3 and 2.9.6: --letter reports it); 1.46.3 (V8 12.9) has V8's stall "
                 "after a dirty registry dies (corpus/engines/), which --strict reports, 2.9.6 "
                 "(V8 15.0) not. An exception of a cleanup callback reaches no listener: 1.46 "
                 "drops it, 2.9 prints 'file://...: Uncaught' to stdout, in pieces, so the script's "
                 "trace goes to stderr",
        .script = Flavor::Deno,
    },
    EngineProfile{
        .name = "bun",
        .engine = "JavaScriptCore, as in Bun (checked with bun@1.1.45 and bun@1.4.5)",
        .how = "bun from the engines cache (tools/engines.sh), a batch of programs per process; "
               "the collector is require(\"bun:jsc\").fullGC",
        .profile = Profile::Es2023,
        .strictCompleteness = false,
        // JSFinalizationRegistry::runFinalizationCleanup returns at a callback's exception
        // with the other dead cells kept, and reconcileWeakReferencesAtGCEnd schedules a
        // cleanup at every collection that finds a dead cell kept, whether or not that
        // collection emptied a cell of the registry: a job the letter does not allow.
        .repostsAfterThrow = true,
        .notes = "fullGC() is a full synchronous collection that keeps [[KeptAlive]] (Bun.gc(true) "
                 "collects a target a WeakRef keeps alive in the same job, so it is "
                 "not used); cells a throwing callback leaves wait for the next collection, "
                 "which enqueues a job for them even when it empties no cell of that registry "
                 "(--letter reports it); 1.1.45 loses the pending timer after a cleanup "
                 "callback throws and exits, which diff reports as a crash "
                 "(corpus/engines/bun-timer-lost-after-cleanup-throws.*); every version "
                 "calls a cleanup callback with itself as this "
                 "(corpus/engines/jsc-cleanup-callback-this-is-itself.*)",
        .script = Flavor::Bun,
    },
    EngineProfile{
        .name = "jsc",
        .engine = "JavaScriptCore's shell, as WebKitGTK builds it (Debian's "
                  "libjavascriptcoregtk-4.0-bin; checked with 2.50.6)",
        .how = "jsc on PATH (FINRIG_JSC names the binary), a batch of programs per process; "
               "the shell exits at a cleanup callback's exception, so that program's trace is "
               "a prefix and the next program starts a fresh shell",
        .profile = Profile::Es2023,
        // The engine of Bun: its runFinalizationCleanup and collections are the same code.
        .strictCompleteness = false,
        .repostsAfterThrow = true,
        .notes = "gc() is a full synchronous collection. The shell has no hook for an exception "
                 "no one caught: it prints it and exits, ending the program where its cleanup "
                 "callback threw (what that callback's job and later ones would have done goes "
                 "unseen). It calls a cleanup callback with itself as this, as Bun does "
                 "(corpus/engines/jsc-cleanup-callback-this-is-itself.*): the script reports "
                 "it at the program's first callback",
        .script = Flavor::Jsc,
    },
    EngineProfile{
        .name = "quickjs",
        .engine = "QuickJS 2025-09-13 (quickjs-emscripten 0.32.0's wasm build)",
        .how = kQuickJsHow,
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "reference counting frees acyclic garbage at once, a gc op frees cycles; after a "
                 "callback throws the rest come in a later job (--letter reports it); cleanup "
                 "jobs share the promise job queue, so a callback can come between the last op "
                 "and the end line, which the checker rejects as a trace mismatch (finrig's "
                 "fault, to fix in model/). Known bugs, 3 runs of 3: a new WeakRef does not keep "
                 "its target alive (corpus/engines/quickjs-weakref-target-not-kept-alive.*) and "
                 "unregister misses a dead target's cell, then calls it back "
                 "(corpus/engines/quickjs-unregister-misses-dead-cell.*); under --strict, a "
                 "WeakMap entry whose value reaches its key keeps the key alive while the map "
                 "lives: no ephemerons (corpus/engines/quickjs-weakmap-value-keeps-key.*)",
        .script = Flavor::QuickJs,
    },
    EngineProfile{
        .name = "quickjs-ng",
        .engine = "quickjs-ng 0.12.1 (quickjs-emscripten 0.32.0's wasm build)",
        .how = kQuickJsHow,
        .profile = Profile::Es2023,
        .strictCompleteness = false,
        .repostsAfterThrow = true,
        .notes = "as quickjs (both bugs too); the unregister bug shows even without a gc "
                 "(reference counting frees the target first): the script's own check of a "
                 "result no engine choice can change fails. A cell whose token is its own target "
                 "is never called back, which --strict reports "
                 "(corpus/engines/quickjs-ng-self-token-cell-never-called.*). It queues a cleanup "
                 "job per cell, so the cells of one registry that die together can be called "
                 "back around another registry's: more jobs than deaths, invariant 6 "
                 "(corpus/engines/quickjs-ng-cleanup-job-per-cell.*)",
        .script = Flavor::QuickJs,
    },
    EngineProfile{
        .name = "spidermonkey",
        .engine = "SpiderMonkey 102 (Debian's libmozjs-102, in process) and 78 (libmozjs-78, "
                  "--engine spidermonkey@78)",
        .how = "engines/spidermonkey: a fresh global per program, JS_GC, the host's task queue; "
               "78 in finrig's host process (finrig-spidermonkey78), a batch of programs per "
               "process",
        .profile = Profile::Es2021,
        .strictCompleteness = false,
        .repostsAfterThrow = false,
        .notes = "symbols cannot be held weakly in 78 or 102 (es2021): symbol targets and "
                 "tokens are TypeErrors, as the profile expects; cells a throwing callback "
                 "leaves are delivered only after another target of the registry dies, so "
                 "--strict reports them (both versions). 102 reads NewTarget.prototype before "
                 "it checks the callback (corpus/engines/); 78 does not",
    },
    EngineProfile{
        .name = "model",
        .engine = "finrig's reference model, making any choice ECMA-262 allows (the judge's self-test)",
        .how = "in process: model::RandomHost, choices seeded by --seed and the program; "
               "--engine-fault NAME breaks it on purpose",
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "every run is legal by construction, so every finding is finrig's own bug: "
                 "the checker rejecting a legal trace, or the model misbehaving under a host "
                 "other than the program's; with --strict the host delivers everything it "
                 "owes (every gc takes all it can, every job runs to the end, a throw re-posts)",
    },
};

// Each with the signature its corpus/engines/ program gets from `finrig diff` (minimized;
// --strict for the stall and the self-token cell), and the versions of the default set
// (tools/engines.sh) seen to show it. quickjs-ng's unregister bug needs no gc (reference
// counting frees the target first), hence its shorter shape. A bug that shows as
// another first symptom (the script's own check or the trace's judgement; the false
// unregister or the callback after it) has a row per signature: those after the first
// of each bug are the variants the first campaign over every engine (2026-12-02) gave,
// whose minimized programs are the corpus program's.
constexpr std::array kKnownBugs = {
    KnownBug{.name = "v8-stall-after-dirty-registry-dies",
             .engine = "node",
             .signature = "engine stalled | register gc",
             .first = "18.20.8",
             .last = "24.22.3"},
    KnownBug{.name = "v8-stall-after-dirty-registry-dies",
             .engine = "deno",
             .signature = "engine stalled | register gc",
             .first = "1.46.3",
             .last = "1.46.3"},
    KnownBug{.name = "bun-timer-lost-after-cleanup-throws",
             .engine = "bun",
             .signature = "engine crashed | registry{throw} register turn",
             .first = "1.1.45",
             .last = "1.1.45"},
    KnownBug{.name = "jsc-cleanup-callback-this-is-itself",
             .engine = "bun",
             .signature = "engine error | register turn",
             .first = "1.1.45",
             .last = "1.4.5"},
    KnownBug{.name = "jsc-cleanup-callback-this-is-itself",
             .engine = "jsc",
             .signature = "engine error | register gc turn",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs",
             .signature = "engine invariant 7 at unregister | register gc unregister",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs-ng",
             .signature = "engine invariant 7 at unregister | register unregister",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-weakref-target-not-kept-alive",
             .engine = "quickjs",
             .signature = "engine error | deref",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-weakref-target-not-kept-alive",
             .engine = "quickjs-ng",
             .signature = "engine error | deref",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs",
             .signature = "engine invariant 1 at turn | register gc unregister turn",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs-ng",
             .signature = "engine invariant 1 at turn | register unregister turn",
             .first = "",
             .last = ""},
    // The same, from a callback that unregisters a cell its job has yet to deliver (the
    // done-when campaign, 2026-12-03).
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs",
             .signature = "engine invariant 7 at unregister | registry{unregister} register register gc turn",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs-ng",
             .signature = "engine invariant 7 at unregister | registry{unregister} register register turn",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-weakref-target-not-kept-alive",
             .engine = "quickjs",
             .signature = "engine invariant 10 at deref | deref",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-weakref-target-not-kept-alive",
             .engine = "quickjs-ng",
             .signature = "engine invariant 10 at deref | deref",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-weakmap-value-keeps-key",
             .engine = "quickjs",
             .signature = "engine invariant 12 at end | set register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-self-token-cell-never-called",
             .engine = "quickjs-ng",
             .signature = "engine invariant 12 at end | register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-cleanup-job-per-cell",
             .engine = "quickjs-ng",
             .signature = "engine invariant 6 at turn | register register register turn",
             .first = "",
             .last = ""},
    // At the top level the script's own check fails first; in a callback, invariant 2.
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine error | register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 2 at register | registry{register} register turn",
             .first = "",
             .last = ""},
    // Its variants, by the first finding of a minimized program whose ops were other
    // than the corpus program's (the campaign of 2026-12-03 and `finrig diff --programs
    // 2000 --seed 1` of 2026-12-04: all 84 findings of invariants 2 and 3 at register
    // had the registry as its own target; from a callback, its unregister then misses
    // the cell (invariants 7 and 11)).
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 2 at register | register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 2 at register | registry{register} register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 3 at register | register",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 3 at register | registry{register} register turn",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine error | register unregister",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 7 at unregister | registry{register} register turn unregister",
             .first = "",
             .last = ""},
    KnownBug{.name = "quickjs-ng-register-ignores-registry-as-target",
             .engine = "quickjs-ng",
             .signature = "engine invariant 11 at unregister | registry{register throw} register turn unregister",
             .first = "",
             .last = ""},
    // Reference counting frees the target at once and queues its job; unregister then
    // misses the cell, and the job's callback comes after it (invariant 1).
    KnownBug{.name = "quickjs-unregister-misses-dead-cell",
             .engine = "quickjs-ng",
             .signature = "engine invariant 1 at unregister | register unregister",
             .first = "",
             .last = ""},
    // A heap corrupted by a cleanup job queued with a callback being freed (the target
    // its own token) shows wherever the heap is next touched, during a program or after
    // its end, in programs of any shape (57 signatures in the campaign of 2026-12-03),
    // and as any of the wasm build's traps: a failed assertion's abort, memory or table
    // index out of bounds. Each is a WebAssembly.RuntimeError, which the host script's
    // own errors never are; so any trap of quickjs-ng 0.12.1's is labelled this bug, and
    // another memory error would hide behind it.
    KnownBug{.name = "quickjs-ng-token-target-cycle-crash",
             .engine = "quickjs-ng",
             .signature = "engine crashed",
             .first = "",
             .last = "",
             .message = "RuntimeError: "},
    KnownBug{.name = "quickjs-ng-token-target-cycle-crash",
             .engine = "quickjs-ng",
             .signature = "engine died after end",
             .first = "",
             .last = "",
             .message = "RuntimeError: "},
    // SpiderMonkey 102 (78 has it right): at the top level the script's own check fails
    // first; in a callback, invariant 3. The in-process 102 reports no version, which
    // counts as affected.
    KnownBug{.name = "spidermonkey-registry-prototype-before-callable",
             .engine = "spidermonkey",
             .signature = "engine error | registry{}",
             .first = "102.15.1",
             .last = "102.15.1"},
    KnownBug{.name = "spidermonkey-registry-prototype-before-callable",
             .engine = "spidermonkey",
             .signature = "engine invariant 3 at registry | registry{registry{}} register gc turn",
             .first = "102.15.1",
             .last = "102.15.1"},
    // Found without its own check: the registry is made where nothing checks it.
    KnownBug{.name = "spidermonkey-registry-prototype-before-callable",
             .engine = "spidermonkey",
             .signature = "engine invariant 3 at registry | registry{}",
             .first = "102.15.1",
             .last = "102.15.1"},
};

// "22.23.5" as numbers, so that 1.10.0 sorts after 1.9.0 (sort -V in engines.sh).
std::vector<long> VersionParts(std::string_view version) {
  std::vector<long> parts;
  for (std::size_t at = 0; at <= version.size();) {
    const std::size_t dot = std::min(version.find('.', at), version.size());
    parts.push_back(std::strtol(std::string(version.substr(at, dot - at)).c_str(), nullptr, 10));
    at = dot + 1;
  }
  return parts;
}

}  // namespace

std::span<const EngineProfile> EngineProfiles() { return kProfiles; }

std::span<const KnownBug> KnownBugs() { return kKnownBugs; }

bool VersionLess(std::string_view a, std::string_view b) {
  return VersionParts(a) < VersionParts(b);
}

const KnownBug* KnownBugOf(std::string_view engine, std::string_view version,
                           std::string_view signature, std::string_view message,
                           std::span<const KnownBug> known) {
  const auto matches = [&](const KnownBug& bug) {
    if (bug.message.empty()) return signature == bug.signature;
    return signature.starts_with(bug.signature) &&
           signature.substr(bug.signature.size()).starts_with(" | ") &&
           message.find(bug.message) != std::string_view::npos;
  };
  for (const KnownBug& bug : known) {
    if (bug.engine != engine || !matches(bug)) continue;
    const bool affected = version.empty() || bug.first.empty() ||
                          (!VersionLess(version, bug.first) && !VersionLess(bug.last, version));
    if (affected) return &bug;
  }
  return nullptr;
}

std::optional<EngineProfile> EngineProfileNamed(std::string_view name) {
  for (const EngineProfile& profile : kProfiles) {
    if (profile.name == name) return profile;
  }
  return std::nullopt;
}

std::string EnginesCacheDir() {
  if (const char* dir = std::getenv("FINRIG_ENGINES_DIR"); dir != nullptr && *dir != 0) return dir;
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache != 0) {
    return std::string(cache) + "/finrig/engines";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/finrig/engines";
}

namespace {

// The marker's "KEY VALUE" lines (tools/engines.sh install_one writes them).
std::optional<InstalledEngine> ReadMarker(const fs::path& folder) {
  std::ifstream in(folder / "finrig-engine");
  if (!in) return std::nullopt;
  InstalledEngine engine;
  for (std::string line; std::getline(in, line);) {
    const std::size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "name") engine.name = value;
    if (key == "version") engine.version = value;
    if (key == "entry") engine.entry = (folder / value).string();
    if (key == "detected") engine.detected = value;
  }
  if (engine.name.empty() || engine.version.empty() || engine.entry.empty()) return std::nullopt;
  return engine;
}

// SpiderMonkey 78 (Debian's libmozjs-78) exports the same symbols as the 102 linked into
// finrig, so the build makes it a host process of its own (engines/spidermonkey/
// shell_main.cpp), which counts as an installed version of spidermonkey.
std::optional<InstalledEngine> BuiltSpiderMonkeyHost() {
#ifdef FINRIG_SPIDERMONKEY78_HOST
  std::error_code error;
  if (fs::exists(FINRIG_SPIDERMONKEY78_HOST, error)) {
    return InstalledEngine{.name = "spidermonkey",
                           .version = FINRIG_SPIDERMONKEY78_VERSION,
                           .entry = FINRIG_SPIDERMONKEY78_HOST,
                           .detected = "SpiderMonkey " FINRIG_SPIDERMONKEY78_VERSION
                                       " (Debian's libmozjs-78, in finrig's host process)"};
  }
#endif
  return std::nullopt;
}

}  // namespace

std::vector<InstalledEngine> InstalledEngines() {
  std::vector<InstalledEngine> engines;
  if (std::optional<InstalledEngine> host = BuiltSpiderMonkeyHost()) engines.push_back(*host);
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(EnginesCacheDir(), error)) {
    if (entry.path().filename().string().find('@') == std::string::npos) continue;
    if (std::optional<InstalledEngine> engine = ReadMarker(entry.path())) {
      engines.push_back(std::move(*engine));
    }
  }
  std::sort(engines.begin(), engines.end(), [](const InstalledEngine& a, const InstalledEngine& b) {
    return a.name != b.name ? a.name < b.name : VersionLess(a.version, b.version);
  });
  return engines;
}

EngineChoice ChooseEngine(std::string_view spec) {
  const std::size_t at = spec.find('@');
  const std::string name(spec.substr(0, at));
  const std::optional<EngineProfile> profile = EngineProfileNamed(name);
  if (!profile) throw std::invalid_argument(fmt::format("unknown engine '{}' (see 'finrig engines')", spec));
  // Plain node is the one on PATH (or FINRIG_NODE), as before the cache existed, and
  // jsc the system's (or FINRIG_JSC); plain spidermonkey (102) and the model are in
  // process. SpiderMonkey's other version is the build's host process
  // (BuiltSpiderMonkeyHost), the others' the cache's.
  if (at == std::string_view::npos &&
      (name == "node" || name == "jsc" || name == "spidermonkey" || name == "model")) {
    return {.name = name, .profile = *profile, .installed = std::nullopt};
  }
  if (name == "model") {
    throw std::invalid_argument("--engine model has no versions: it is finrig's own");
  }
  const std::string want(at == std::string_view::npos ? "" : spec.substr(at + 1));
  std::optional<InstalledEngine> match;  // the newest that matches
  for (InstalledEngine& engine : InstalledEngines()) {
    if (engine.name == name &&
        (want.empty() || engine.version == want || engine.version.starts_with(want + "."))) {
      match = std::move(engine);
    }
  }
  if (!match && name == "jsc") {
    throw std::invalid_argument(fmt::format(
        "{}: jsc is the system's shell, one version (--engine jsc; tools/deps.sh installs "
        "Debian's)", spec));
  }
  if (!match && name == "spidermonkey") {
    throw std::invalid_argument(fmt::format(
        "{}: this build has SpiderMonkey 102 in process (--engine spidermonkey){}", spec,
        BuiltSpiderMonkeyHost() ? " and 78 (--engine spidermonkey@78)"
                                : "; 78 needs libmozjs-78-dev (tools/deps.sh) and a build"));
  }
  if (!match) {
    throw std::invalid_argument(
        fmt::format("{} is not installed in {} (tools/engines.sh install {})", spec,
                    EnginesCacheDir(), want.empty() ? name + "@latest" : std::string(spec)));
  }
  return {.name = match->name + "@" + match->version, .profile = *profile, .installed = match};
}

}  // namespace finrig::engines
