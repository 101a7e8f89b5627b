// Each op kind's syntactic facts in one table, as Fuzzilli's operations carry their
// inputs, outputs and block structure: the .fr parser and printer, the binary decoder
// and encoder, the minimizer, the generators and the mutator all read it. A new op kind
// is a row here plus what it does (model/run.cpp, model/checker.cpp, engines/js.cpp),
// not a case in each reader.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/program.h"

namespace finrig {

// What an op does with Op::dest.
enum class DestUse : std::uint8_t {
  NoDest,     // register R T H [K]: no handle
  Assigns,    // hN = object: always assigns it
  MayAssign,  // [hN =] deref X: assigns it when one is written
  Names,      // drop hN: a handle some op already assigned
};

// Where an op may stand. The parser rejects a misplaced op; the decoder reads it whole
// and skips it.
enum class Place : std::uint8_t {
  Anywhere,
  TopLevel,  // turn: a callback cannot wait for a later turn of the event loop
  Body,      // throw: it throws from the cleanup callback
};

// What an operand is for, after the spec's parameter names. Generators pick values
// that fit (a registry where register wants one) more often than chance would.
enum class ArgRole : std::uint8_t {
  Registry,   // register's and unregister's this value
  Object,     // a target, an unregisterToken, a link's ends: values with identity
  HeldValue,  // register's heldValue
  WeakRef,    // deref's this value
  Weak,       // a WeakMap or WeakSet: set's, get's, has', delete's and add's this value
  Any,        // an assigned value, throw's operand
};

// An op's parts besides dest, operands and body, each with a syntax of its own.
enum class Payload : std::uint8_t {
  None,
  Description,  // symbol ["description"]
  GcOptions,    // gc [@id ...] [enqueue none|one|each] [hold strong|weak]
  TurnOptions,  // turn [jobs I ...] [order fifo|lifo] [limit N] [repost]
  RegistryOptions,  // registry [newtarget undefined|throwing] [callback <operand> |
                    // [async] [captures <operand> ...]]: the words around the operands
  RepeatCount,      // repeat N
};

inline constexpr std::size_t kMaxArgs = 4;

struct OpFacts {
  OpKind kind;
  std::string_view keyword;  // in .fr text, and the op's name in messages
  bool keywordWritten;       // false only for Assign: `hN = <operand>`
  DestUse dest;
  ArgRole result;  // what a handle it assigns holds (Any: whatever its operand is)
  std::uint8_t minArgs;
  std::uint8_t maxArgs;  // the operands past minArgs are optional, and come last
  std::array<ArgRole, kMaxArgs> roles;  // of operands 0 .. maxArgs - 1
  Place place;
  bool opensBody;  // `hN = registry { ... }`: a cleanup callback's ops
  bool allocates;  // makes a new heap thing (the next @id) when it succeeds
  Payload payload;
};

namespace op_facts_rows {
using enum ArgRole;
using enum DestUse;
using enum Place;
using enum Payload;
// Unused role slots say Any.
inline constexpr std::array kRows = {
    OpFacts{OpKind::NewObject, "object", true, Assigns, Object, 0, 0, {Any, Any, Any, Any},
            Anywhere, false, true, None},
    OpFacts{OpKind::NewSymbol, "symbol", true, Assigns, Object, 0, 0, {Any, Any, Any, Any},
            Anywhere, false, true, Description},
    OpFacts{OpKind::Assign, "assign", false, Assigns, Any, 1, 1, {Any, Any, Any, Any}, Anywhere,
            false, false, None},
    // Its operands are what the callback closes over, or the callback itself.
    OpFacts{OpKind::NewRegistry, "registry", true, Assigns, Registry, 0, kMaxArgs,
            {Any, Any, Any, Any}, Anywhere, true, true, RegistryOptions},
    OpFacts{OpKind::NewWeakRef, "weakref", true, Assigns, WeakRef, 1, 1, {Object, Any, Any, Any},
            Anywhere, false, true, None},
    // What a deref hands back is often the target: an object.
    OpFacts{OpKind::Deref, "deref", true, MayAssign, Object, 1, 1, {WeakRef, Any, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::Register, "register", true, NoDest, Any, 3, 4,
            {Registry, Object, HeldValue, Object}, Anywhere, false, false, None},
    OpFacts{OpKind::Unregister, "unregister", true, NoDest, Any, 2, 2,
            {Registry, Object, Any, Any}, Anywhere, false, false, None},
    OpFacts{OpKind::Link, "link", true, NoDest, Any, 2, 2, {Object, Object, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::Unlink, "unlink", true, NoDest, Any, 2, 2, {Object, Object, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::Drop, "drop", true, Names, Any, 0, 0, {Any, Any, Any, Any}, Anywhere, false,
            false, None},
    OpFacts{OpKind::Gc, "gc", true, NoDest, Any, 0, 0, {Any, Any, Any, Any}, Anywhere,
            false, false, GcOptions},
    OpFacts{OpKind::Turn, "turn", true, NoDest, Any, 0, 0, {Any, Any, Any, Any}, TopLevel,
            false, false, TurnOptions},
    OpFacts{OpKind::Throw, "throw", true, NoDest, Any, 0, 1, {Any, Any, Any, Any}, Body,
            false, false, None},
    // Its body is the program's own ops again (so at the top level), N times.
    OpFacts{OpKind::Repeat, "repeat", true, NoDest, Any, 0, 0, {Any, Any, Any, Any}, TopLevel,
            true, false, RepeatCount},
    OpFacts{OpKind::NewWeakMap, "weakmap", true, Assigns, Weak, 0, 0, {Any, Any, Any, Any},
            Anywhere, false, true, None},
    OpFacts{OpKind::NewWeakSet, "weakset", true, Assigns, Weak, 0, 0, {Any, Any, Any, Any},
            Anywhere, false, true, None},
    // A value with identity, so that the entry can keep a target alive.
    OpFacts{OpKind::WeakMapSet, "set", true, NoDest, Any, 3, 3, {Weak, Object, Object, Any},
            Anywhere, false, false, None},
    // What get hands back is often an entry's value: an object.
    OpFacts{OpKind::WeakMapGet, "get", true, MayAssign, Object, 2, 2, {Weak, Object, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::WeakHas, "has", true, NoDest, Any, 2, 2, {Weak, Object, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::WeakDelete, "delete", true, NoDest, Any, 2, 2, {Weak, Object, Any, Any},
            Anywhere, false, false, None},
    OpFacts{OpKind::WeakSetAdd, "add", true, NoDest, Any, 2, 2, {Weak, Object, Any, Any},
            Anywhere, false, false, None},
    // Its body is a function of its own, run as a promise job.
    OpFacts{OpKind::Then, "then", true, NoDest, Any, 0, 0, {Any, Any, Any, Any}, Anywhere, true,
            false, None},
};
}  // namespace op_facts_rows

inline constexpr const auto& kOpFacts = op_facts_rows::kRows;
inline constexpr int kOpKindCount = static_cast<int>(kOpFacts.size());

consteval bool RowsInOpKindOrder() {
  for (std::size_t i = 0; i < kOpFacts.size(); ++i) {
    if (static_cast<std::size_t>(kOpFacts[i].kind) != i) return false;
    if (kOpFacts[i].minArgs > kOpFacts[i].maxArgs || kOpFacts[i].maxArgs > kMaxArgs) return false;
  }
  return true;
}
static_assert(RowsInOpKindOrder(), "one row per OpKind, in OpKind's order");
static_assert(kOpFacts.back().kind == OpKind::kLast, "every OpKind has a row");

constexpr const OpFacts& FactsOf(OpKind kind) { return kOpFacts[static_cast<std::size_t>(kind)]; }

// As the decoder reads ops: false for an op the parser would reject at this depth
// (0 = top level).
constexpr bool AllowedAt(OpKind kind, int depth) {
  switch (FactsOf(kind).place) {
    case Place::TopLevel: return depth == 0;
    case Place::Body: return depth > 0;
    case Place::Anywhere: return true;
  }
  return true;
}

// Whether `op`, at `depth`, has a body the decoder reads (none past kMaxBodyDepth).
constexpr bool HasBody(const Op& op, int depth) {
  return FactsOf(op.kind).opensBody && depth < kMaxBodyDepth;
}

// The depth of the ops in the body of `op` at `depth`: a callback's are a function
// deeper, a repeat's are where the repeat stands.
constexpr int BodyDepth(const Op& op, int depth) {
  return op.kind == OpKind::Repeat ? depth : depth + 1;
}

}  // namespace finrig
