// How often the generators make each kind of op and literal, stated once: the
// structure-aware mutator (gen/mutator.cpp, behind model_mutator_fuzzer and `finrig
// diff`) and the RapidCheck generators (props/generators.cpp) both read these, so a
// program made by one looks like a program made by the other.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace finrig::gen {

// What a generator makes next. Several choices may make one op kind (a gc, or a gc of
// chosen ids).
enum class OpChoice : std::uint8_t {
  Object,
  Symbol,
  Assign,
  Registry,
  WeakRef,
  Deref,
  Register,
  Unregister,
  Link,
  Unlink,
  Drop,
  Gc,
  PartialGc,    // gc @id ...
  Turn,
  TurnOptions,  // turn jobs ... order ... limit ...
  Throw,
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
    OpWeight{OpChoice::WeakRef, 4, 4},
    OpWeight{OpChoice::Deref, 4, 4},
    OpWeight{OpChoice::Register, 22, 22},
    OpWeight{OpChoice::Unregister, 7, 7},
    OpWeight{OpChoice::Link, 4, 4},
    OpWeight{OpChoice::Unlink, 2, 2},
    OpWeight{OpChoice::Drop, 14, 14},
    OpWeight{OpChoice::Gc, 10, 1},  // gc in callbacks: often a callback that feeds itself
    OpWeight{OpChoice::PartialGc, 3, 1},
    OpWeight{OpChoice::Turn, 12, 0},
    OpWeight{OpChoice::TurnOptions, 4, 0},
    OpWeight{OpChoice::Throw, 0, 5},
};

constexpr bool WeightsInChoiceOrder() {
  for (std::size_t i = 0; i < kOpWeights.size(); ++i) {
    if (static_cast<std::size_t>(kOpWeights[i].choice) != i) return false;
  }
  return kOpWeights.back().choice == OpChoice::Throw;
}
static_assert(WeightsInChoiceOrder(), "one row per OpChoice, in its order");

constexpr int WeightAt(OpChoice choice, int depth) {
  const OpWeight& row = kOpWeights[static_cast<std::size_t>(choice)];
  return depth == 0 ? row.topLevel : row.inBody;
}

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
// heldValues that are strings: delivery shows plainly.
inline constexpr std::array<std::string_view, 3> kHeldStrings = {"x", "y", "z"};
// A new symbol's description, when it has one.
inline constexpr std::string_view kSymbolDescription = "s";

}  // namespace finrig::gen
