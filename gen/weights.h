// How often the generators make each kind of op, scenario and literal, stated once:
// the structure-aware mutator (gen/mutator.cpp, behind model_mutator_fuzzer and `finrig
// diff`) and the RapidCheck generators (props/generators.cpp) both read these, so a
// program made by one looks like a program made by the other. The mutator's own
// choices (which mutation, how often byte-level) are here too, at the end.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

#include "gen/mutator.h"
#include "gen/scenarios.h"

namespace finrig::gen {

// What a generator makes next. Several choices may make one op kind (a gc, or a gc of
// chosen ids).
enum class OpChoice : std::uint8_t {
  Object,
  Symbol,
  Assign,
  Registry,
  CapturingRegistry,  // registry captures ...: its callback closes over values
  RegistryChecks,     // registry newtarget ... / callback <operand>: the constructor's checks
  AsyncRegistry,      // registry async { ... throw }: a callback whose throw rejects a promise
  WeakRef,
  Deref,
  Register,
  Unregister,
  Link,
  Unlink,
  WeakCollection,  // hN = weakmap | weakset
  WeakEntry,       // set M K V | add S K: an entry whose key and map decide its value's life
  WeakQuery,       // get | has | delete
  Drop,
  Gc,
  PartialGc,    // gc @id ...
  GcChoices,    // gc [@id ...] enqueue ... hold ...: a collection's jobs, chosen
  Turn,
  TurnOptions,  // turn jobs ... order ... limit ... repost
  Throw,
  Then,      // then { ... }: a promise job, often a deref after a gc
  Repeat,    // repeat N { ... }: registrations with `i` as their heldValues, and more
  Scenario,  // several ops: one of gen/scenarios.h, picked by kScenarioWeights
};

struct OpWeight {
  OpChoice choice;
  int topLevel;  // in the program's own op list
  int inBody;    // in a cleanup callback's body
};

// Registrations dominate, with drops, gcs and turns to make them deliver; each op
// kind where the op facts allow it (turn at top level, throw in bodies).
inline constexpr std::array kOpWeights = {
    OpWeight{OpChoice::Object, 6, 3},
    OpWeight{OpChoice::Symbol, 2, 2},
    OpWeight{OpChoice::Assign, 2, 2},
    OpWeight{OpChoice::Registry, 4, 1},
    OpWeight{OpChoice::CapturingRegistry, 2, 1},
    OpWeight{OpChoice::RegistryChecks, 1, 1},
    OpWeight{OpChoice::AsyncRegistry, 1, 1},
    OpWeight{OpChoice::WeakRef, 4, 4},
    OpWeight{OpChoice::Deref, 4, 4},
    OpWeight{OpChoice::Register, 22, 22},
    OpWeight{OpChoice::Unregister, 7, 7},
    OpWeight{OpChoice::Link, 4, 4},
    OpWeight{OpChoice::Unlink, 2, 2},
    OpWeight{OpChoice::WeakCollection, 2, 1},
    OpWeight{OpChoice::WeakEntry, 4, 2},
    OpWeight{OpChoice::WeakQuery, 3, 2},
    OpWeight{OpChoice::Drop, 14, 14},
    OpWeight{OpChoice::Gc, 10, 1},  // gc in callbacks: often a callback that feeds itself
    OpWeight{OpChoice::PartialGc, 3, 1},
    // Choices 2 and 3, about one gc in seven: enough to meet turns and throws often.
    OpWeight{OpChoice::GcChoices, 2, 1},
    OpWeight{OpChoice::Turn, 12, 0},
    OpWeight{OpChoice::TurnOptions, 4, 0},
    OpWeight{OpChoice::Throw, 0, 5},
    OpWeight{OpChoice::Then, 2, 1},
    OpWeight{OpChoice::Repeat, 1, 0},
    // About one top-level op in 25 starts a scenario: a 50-op program holds two.
    OpWeight{OpChoice::Scenario, 4, 0},
};

constexpr bool WeightsInChoiceOrder() {
  for (std::size_t i = 0; i < kOpWeights.size(); ++i) {
    if (static_cast<std::size_t>(kOpWeights[i].choice) != i) return false;
  }
  return kOpWeights.back().choice == OpChoice::Scenario;
}
static_assert(WeightsInChoiceOrder(), "one row per OpChoice, in its order");

constexpr int WeightAt(OpChoice choice, int depth) {
  const OpWeight& row = kOpWeights[static_cast<std::size_t>(choice)];
  return depth == 0 ? row.topLevel : row.inBody;
}

// Which scenario (gen/scenarios.h, in Scenario order) an OpChoice::Scenario makes:
// evenly, as each reaches the states of another rule.
inline constexpr std::array<int, 15> kScenarioWeights = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static_assert(kScenarioWeights.size() == kScenarioCount, "one weight per Scenario");

// Literal operands: each kind's weight, and the few values of each kind, so that equal
// values meet (SameValue, shared heldValues) and every kind appears in every position.
enum class LiteralChoice : std::uint8_t {
  Undefined, Null, Boolean, Number, String, BigInt, RegisteredSymbol, WellKnownSymbol,
};
inline constexpr std::array<int, 8> kLiteralWeights = {3, 1, 1, 3, 4, 1, 2, 1};

inline constexpr std::array kNumbers = {0.0,
                                        -0.0,
                                        1.0,
                                        std::numeric_limits<double>::quiet_NaN(),
                                        std::numeric_limits<double>::infinity(),
                                        2.5};
inline constexpr std::array<std::string_view, 4> kStrings = {"a", "b", "c", ""};
inline constexpr std::array<std::string_view, 3> kBigInts = {"0", "1", "-7"};
inline constexpr std::array<std::string_view, 2> kRegisteredKeys = {"k", "j"};
inline constexpr std::array<std::string_view, 2> kWellKnownNames = {"iterator", "asyncIterator"};
// How many values a capturing registry's callback closes over, at most (the op facts
// allow kMaxArgs): one is the leak; two let a capture be garbage beside a live one.
inline constexpr std::size_t kMaxCaptures = 2;
// How many times a generated `repeat` runs: small, and once past 64, where a
// registry's cells outgrow a small table.
inline constexpr std::array<std::uint32_t, 3> kRepeatCounts = {2, 3, 70};
// heldValues that are strings: delivery shows plainly.
inline constexpr std::array<std::string_view, 3> kHeldStrings = {"x", "y", "z"};
// The callback budgets a generator sets, besides the default: small, so that jobs stop
// for it within a short program.
inline constexpr int kMaxSmallBudget = 6;
// A new symbol's description, when it has one.
inline constexpr std::string_view kSymbolDescription = "s";

// The structure-aware mutator: how often each structural mutation is made (in
// Mutation order), once the program is past the mutator's soft size (then mostly
// shrinking: libFuzzer turns -len_control off for custom mutators), and as an edit
// inside a callback body (list edits only).
struct MutationWeight {
  Mutation mutation;
  int weight;
  int whenBig;
  int inBody;
};
inline constexpr std::array kMutationWeights = {
    MutationWeight{Mutation::InsertOp, 7, 1, 4},
    MutationWeight{Mutation::DeleteOp, 4, 10, 2},
    MutationWeight{Mutation::DuplicateOp, 2, 0, 1},
    MutationWeight{Mutation::CopyOp, 2, 1, 0},
    MutationWeight{Mutation::SwapOps, 2, 2, 1},
    MutationWeight{Mutation::EditOp, 8, 8, 4},
    MutationWeight{Mutation::ToggleProfile, 1, 1, 0},
    MutationWeight{Mutation::EditBody, 3, 2, 0},
    MutationWeight{Mutation::EditBudget, 1, 1, 0},
};
// Byte-level now and then (with libFuzzer's byte mutator): one input in kByteAllOneIn
// is mutated whole as bytes; of the rest, one in kByteOpOneIn has one op's bytes mutated.
inline constexpr std::size_t kByteAllOneIn = 10;
inline constexpr std::size_t kByteOpOneIn = 9;

}  // namespace finrig::gen
