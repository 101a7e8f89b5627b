// What an observer of one execution can see, in order. The model writes traces, and so
// do the engine adapters (engines/wire.h reads an engine's output into one). The
// checker judges a trace without the model's help.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "model/program.h"
#include "model/value.h"

namespace finrig {

// How an op ended: normally with a value (undefined for ops without one), with a
// TypeError, with the error a `registry newtarget throwing`'s NewTarget throws when its
// prototype is read, or with a `throw` op firing inside a callback.
struct Completion {
  enum class Type : std::uint8_t { Normal, TypeError, Throw, NewTargetError };
  Type type = Type::Normal;
  Value value = Undefined{};

  static Completion Normal(Value v = Undefined{}) { return {Type::Normal, std::move(v)}; }
  static Completion TypeError() { return {Type::TypeError, Undefined{}}; }
  static Completion Throw() { return {Type::Throw, Undefined{}}; }
  static Completion NewTargetError() { return {Type::NewTargetError, Undefined{}}; }
  bool IsAbrupt() const { return type != Type::Normal; }
};

// An op finished. Everything it caused (collections, jobs, callbacks) comes before.
struct OpDone {
  const Op* op;
  Completion result;
};
// The model's own account of what a gc collected. Engines cannot report this; the
// checker verifies it when present and needs it only for strict completeness.
struct Collected {
  std::vector<HeapId> ids;  // ascending
};
struct JobBegin {
  HeapId registry;
};
struct JobEnd {
  HeapId registry;
  bool abrupt;  // a callback threw and ended the job
};
// A cleanup callback is called with heldValue; its body's ops follow.
struct CallbackBegin {
  HeapId registry;
  Value held;
};
struct CallbackEnd {
  bool threw;
};
// A promise job began: the body of the `then` op that queued it; its ops follow.
struct PromiseJobBegin {
  const Op* then;
};
struct PromiseJobEnd {
  bool threw;  // a `throw` op fired in it (its promise is rejected)
};

using Event = std::variant<OpDone, Collected, JobBegin, JobEnd, CallbackBegin, CallbackEnd,
                           PromiseJobBegin, PromiseJobEnd>;

struct Trace {
  std::vector<Event> events;
};

std::string CompletionToText(const Completion& c);  // "@3", "TypeError", "throw", "true"

// Each op's path in the program: "4" for the fifth top-level op, "1.0" for the first op
// of the body of the registry created by op 1. Traces and the wire format name ops so.
std::map<const Op*, std::string> OpPaths(const Program& program);

// One event per line, indented by callback depth, ops named by their path (OpPaths).
// Deterministic: same trace, same bytes.
std::string PrintTrace(const Program& program, const Trace& trace);

}  // namespace finrig
