// Scenarios: the short op sequences that reach the states where the registry's rules
// are easy to get wrong, which random ops reach only by luck (BENCHMARKS.md: from an
// empty corpus, neither fuzzer found an unregister after a target died, a token shared
// by two registries, or a throwing callback with cells left). Each is written once
// here; the RapidCheck generators (props/generators.cpp) and the structure-aware
// mutator (gen/mutator.cpp) both insert them, choosing which one by the weights of
// gen/weights.h and drawing the handles and variations themselves.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/program.h"

namespace finrig::gen {

enum class Scenario : std::uint8_t {
  UnregisterAfterDeath,  // a target dies (gc), then its cell is unregistered before the turn
  SharedToken,           // one token, cells in two registries; unregister from one
  ThrowLeavesCells,      // a throwing callback with emptied cells left; unregister them
  WeakRefAcrossTurn,     // a WeakRef's target dies once the turn ends its KeptAlive; deref it
  RegistryDiesWithJob,   // a registry with a pending cleanup job becomes garbage
  CallbackReenters,      // a callback that derefs a WeakRef and registers again
  CallbackCapturesTarget,  // a registry's callback closes over its own target
  LinkKeepsTarget,       // a target whose only reference is another object's link
  CellKeepsHeldValue,    // a heldValue whose only reference is its cell
  KeptAliveBeforeTurn,   // a new WeakRef's target dropped and collected within the run
  RegisteredSymbolTarget,  // Symbol.for("k") as a target, which no profile holds weakly
  ManyCells,             // a repeat registers 70 targets that die at once: one job, 70 calls
  AsyncThrowGoesOn,      // an async callback throws, with a second cell of its target left
  EntryKeepsValue,       // a target held only as a WeakMap entry's value, its key alive
  KeptAliveThroughCheckpoint,  // a new WeakRef's dropped target, collected in a promise job
};
inline constexpr int kScenarioCount = static_cast<int>(Scenario::KeptAliveThroughCheckpoint) + 1;
std::string_view ScenarioName(Scenario scenario);

// Where a scenario's handles go: slot i (its i-th handle) is
// h<first + (shift + i) % count>, so with count >= 6 the slots are distinct and `shift`
// moves them among the program's handles. `variation` picks among small variants
// (bit by bit; 0 is the plainest, which is what RapidCheck shrinks towards).
struct ScenarioDraw {
  Scenario scenario = Scenario::UnregisterAfterDeath;
  int first = 0;
  int count = 8;
  int shift = 0;
  std::uint32_t variation = 0;
};

// ScenarioDraw::variation is below this: each scenario has at most one variant bit.
inline constexpr std::uint32_t kScenarioVariations = 2;

// The scenario's ops, all at top level (they end with a turn).
std::vector<Op> MakeScenario(const ScenarioDraw& draw);

}  // namespace finrig::gen
