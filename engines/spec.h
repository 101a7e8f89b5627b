// The ECMA-262 text finrig's reports cite, stated once: the sections a program's ops
// run (quoted in test262 tests' info, engines/test262.h) and, for each invariant of
// docs/SEMANTICS.md section 7, the rule it rests on (quoted in standalone repros,
// engines/repro.h). Quotes are from the draft docs/SEMANTICS.md read; anchors open as
// https://tc39.es/ecma262/#ANCHOR.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "model/invariant.h"
#include "model/program.h"

namespace finrig::engines {

// An ECMA-262 section a program can exercise, with its steps.
struct Section {
  std::optional<OpKind> op;  // the op that runs it; none for CanBeHeldWeakly
  std::string_view esid;
  std::string_view steps;
};

// The sections of ops, the more specific first (a test262 test's esid is the first
// its program uses); every program makes a registry, the last.
std::span<const Section> OpSections();
const Section& CanBeHeldWeaklySection();

// Where ECMA-262 states an invariant: the section, the steps, their words.
struct Rule {
  std::string_view esid;   // "sec-finalization-registry.prototype.register"
  std::string_view title;  // "FinalizationRegistry.prototype.register"
  std::string_view steps;  // "step 4"
  std::string_view text;   // the steps' words, or what the section says
};
const Rule& RuleOf(Invariant invariant);  // a numbered one (IsNumbered)

}  // namespace finrig::engines
