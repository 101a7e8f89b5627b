// Engine profiles: which engines finrig knows how to drive and what to expect of each,
// so that known, allowed differences are configuration rather than false alarms.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engines/js.h"
#include "model/value.h"

namespace finrig::engines {

struct EngineProfile {
  std::string_view name;     // as in `finrig diff --engine NAME`
  std::string_view engine;   // what runs, and the version finrig was checked against
  std::string_view how;      // how finrig drives it
  Profile profile;           // the edition whose CanBeHeldWeakly the engine follows
  // Whether --strict (completeness: after a full gc and a few turns, every cell whose
  // target nothing reaches has had its callback) is expected to hold.
  bool strictCompleteness;
  // After a throwing callback, a new job for the cells left, without another collection
  // (docs/SEMANTICS.md, choice 5): beyond the letter of ECMA-262, accepted from an engine
  // that declares it unless `--letter` is asked for.
  bool repostsAfterThrow;
  std::string_view notes;
  // The script a discrepancy's .js artifact is written for: the one the engine runs,
  // where it runs one (node for the others, as the most portable repro).
  Flavor script = Flavor::Node;
};

std::span<const EngineProfile> EngineProfiles();
std::optional<EngineProfile> EngineProfileNamed(std::string_view name);

// An engine bug found before (its program is corpus/engines/NAME.fr), so that a campaign
// labels a finding with this signature on an affected version "known", and new ones
// stand out.
struct KnownBug {
  std::string_view name;       // the corpus/engines/ program's
  std::string_view engine;     // the profile's name
  std::string_view signature;  // Signature::Text() of a campaign's finding (`finrig diff`)
  // The versions (as tools/engines.sh installs them) that show it, oldest and newest
  // checked; empty: every version. An engine whose version is unknown (the system node)
  // is taken to be affected.
  std::string_view first, last;
  // Where not empty, a bug whose minimized programs take many shapes (a memory error,
  // which shows wherever the heap is next touched): `signature` is then a signature's
  // kind alone ("engine crashed"), and the finding's message must hold this text, the
  // engine's own words.
  std::string_view message = {};
};
std::span<const KnownBug> KnownBugs();
// The bug of `known` that a finding with `signature` and `message` (its first finding's)
// on ENGINE@VERSION is, if any.
const KnownBug* KnownBugOf(std::string_view engine, std::string_view version,
                           std::string_view signature, std::string_view message = {},
                           std::span<const KnownBug> known = KnownBugs());
// 1.10.0 after 1.9.0, as tools/engines.sh (sort -V) orders versions.
bool VersionLess(std::string_view a, std::string_view b);

// An engine tools/engines.sh installed: a folder NAME@VERSION of the cache, complete
// when it holds the `finrig-engine` marker install writes last. Or one the build made:
// SpiderMonkey 78's host process (FINRIG_SPIDERMONKEY78).
struct InstalledEngine {
  std::string name;      // node, deno, bun, quickjs, quickjs-ng, spidermonkey
  std::string version;   // the package's: 22.23.5
  std::string entry;     // the binary (for QuickJS: the wasm variant's package folder)
  std::string detected;  // what the engine reported when install ran it
};

// tools/engines.sh's folder: $FINRIG_ENGINES_DIR, else $XDG_CACHE_HOME/finrig/engines,
// else ~/.cache/finrig/engines.
std::string EnginesCacheDir();
// The installed engines, by name then oldest version first, the build's SpiderMonkey 78
// host among them. Reads marker files only: no engine is run.
std::vector<InstalledEngine> InstalledEngines();

// What `--engine SPEC` names: NAME, or NAME@VERSION (exact or a prefix such as 22 or
// 1.1: the newest installed that matches) from the cache. Plain `node` is the system's
// (or $FINRIG_NODE), other plain names the newest installed. Throws
// std::invalid_argument naming the engines.sh command that would install what is missing.
struct EngineChoice {
  std::string name;  // for messages and artifacts: node, deno@2.9.6
  EngineProfile profile;
  std::optional<InstalledEngine> installed;  // none: the engine needs no cache (node, model)
};
EngineChoice ChooseEngine(std::string_view spec);

}  // namespace finrig::engines
