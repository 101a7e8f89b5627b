// Illegal traces for the judge's self-test: a legal run of the model playing an engine
// (model_engine.h), its wire lines changed the way a broken engine would change them. A
// judge that accepts every legal run could still accept everything; these show what it
// rejects. Some corruptions are illegal whatever the host chose (`alwaysIllegal`): the
// checker must reject every one. The others may still be legal (a repeated callback may
// be a look-alike cell's), so what the checker accepts of them is counted, and a
// witness search (bench/judge_corruptions) tells the legal ones from the missed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/program.h"
#include "model/splitmix.h"

namespace finrig::engines {

enum class Corruption : std::uint8_t {
  ForeignHeldValue,   // a callback's heldValue becomes one no cell was registered with
  CallbackInSyncOp,   // a top-level callback moves into a synchronous run
  TypeErrorForValid,  // a register, unregister or deref that completed normally throws
  NoTypeError,        // an op that threw a TypeError completes normally
  Resurrection,       // a deref answers the target an earlier deref found collected
  SecondCallback,     // a callback happens twice in a row
  FlippedUnregister,  // an unregister answers the opposite
  EarlierCallback,    // a callback moves into the turn before its own
  SwappedHeldValues,  // two callbacks of one registry trade heldValues
};

struct CorruptionFacts {
  Corruption kind;
  std::string_view name;
  bool alwaysIllegal;
};

inline constexpr std::array<CorruptionFacts, 9> kCorruptions = {{
    {Corruption::ForeignHeldValue, "foreign-held-value", true},
    {Corruption::CallbackInSyncOp, "callback-in-sync-op", true},
    {Corruption::TypeErrorForValid, "typeerror-for-valid", true},
    {Corruption::NoTypeError, "no-typeerror", true},
    {Corruption::Resurrection, "resurrection", true},
    {Corruption::SecondCallback, "second-callback", false},
    {Corruption::FlippedUnregister, "flipped-unregister", false},
    {Corruption::EarlierCallback, "earlier-callback", false},
    {Corruption::SwappedHeldValues, "swapped-held-values", false},
}};

// `wire` (WriteWire's lines for a run of `program`) with `kind` applied at a place
// `random` picks, or nullopt where the run offers no place for it.
std::optional<std::string> Corrupt(Corruption kind, const Program& program,
                                   std::string_view wire, SplitMix64& random);

}  // namespace finrig::engines
