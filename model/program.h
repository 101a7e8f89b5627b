// A finrig program: ops over numbered handles (the program's roots, h0..h255), in which
// every choice ECMA-262 leaves to an engine is an argument. A program plus a profile
// determines one execution of the model. The text (.fr) and binary forms both decode
// to this; see docs/LANGUAGE.md for the text syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/value.h"

namespace finrig {

using Handle = std::uint8_t;
inline constexpr int kHandleCount = 256;
// Registries created inside callbacks may have callbacks of their own, this deep.
inline constexpr int kMaxBodyDepth = 4;
// A program's callbacks, at most (its `# budget:` line, else the default): once it has
// made this many, every cleanup job stops at once (the spec lets a job stop at any time).
// A callback that registers and collects within its own job would otherwise never let
// the job end.
inline constexpr int kDefaultCallbackBudget = 100;
inline constexpr int kMaxCallbackBudget = 1000000;

struct HandleRef {
  Handle handle;
  friend bool operator==(const HandleRef&, const HandleRef&) = default;
};
// The heldValue argument of the running cleanup callback (only inside a body).
struct HeldRef {
  friend bool operator==(const HeldRef&, const HeldRef&) = default;
};
// The iteration of the enclosing `repeat`, a number from 0 (only directly in its body).
struct IterationRef {
  friend bool operator==(const IterationRef&, const IterationRef&) = default;
};
// An operand: a handle's current value, the callback's argument, the repeat's
// iteration, or a literal (never an ObjectRef or UniqueSymbol: identity comes only from
// handles).
using Operand = std::variant<HandleRef, HeldRef, Value, IterationRef>;

// How many times a `repeat` runs its body, at most.
inline constexpr std::uint32_t kMaxRepeat = 100000;

enum class OpKind : std::uint8_t {
  NewObject,    // hN = object
  NewSymbol,    // hN = symbol ["description"]
  Assign,       // hN = <operand>
  NewRegistry,  // hN = registry [newtarget ...] [callback <operand> | [async] [captures <operand> ...]] [{ body }]
  NewWeakRef,   // hN = weakref <target>
  Deref,        // [hN =] deref <weakref>
  Register,     // register <registry> <target> <heldValue> [<token>]
  Unregister,   // unregister <registry> <token>
  Link,         // link <from> <to>      (strong edge: from.refs.add(to))
  Unlink,       // unlink <from> <to>
  Drop,         // drop hN               (hN = undefined)
  Gc,           // gc [@id ...] [enqueue none|one|each] [hold strong|weak]
  Turn,         // turn [jobs i ...] [order lifo] [limit n] [repost]
  Throw,        // throw [<operand>]     (bodies only: throw if held is operand)
  Repeat,       // repeat N { ops }      (top level, not nested: the ops N times, `i` each)
  NewWeakMap,   // hN = weakmap
  NewWeakSet,   // hN = weakset
  WeakMapSet,   // set <map> <key> <value>     (map.set(key, value))
  WeakMapGet,   // [hN =] get <map> <key>
  WeakHas,      // has <map or set> <key>      (WeakMap's or WeakSet's, by the receiver)
  WeakDelete,   // delete <map or set> <key>
  WeakSetAdd,   // add <set> <value>
  Then,         // then { ops }            (Promise.resolve().then(() => { ops }): a promise job)
  kLast = Then,  // model/op_facts.h has a row for each kind up to this one
};

// The NewTarget a `registry` op calls FinalizationRegistry with (constructor steps 1
// and 3).
enum class RegistryNewTarget : std::uint8_t {
  Constructor,  // new FinalizationRegistry(...): FinalizationRegistry itself
  Undefined,    // FinalizationRegistry(...), called without new: step 1 throws
  Throwing,     // Reflect.construct(FinalizationRegistry, [...], nt): reading nt.prototype
                // in step 3 throws a NewTargetError
};

// In which order a cleanup job picks cells whose target is empty.
enum class CellOrder : std::uint8_t {
  Fifo,  // oldest registration first ([[Cells]] order)
  Lifo,  // newest first
};

// How many cleanup jobs a collection enqueues for each registry whose cells it emptied
// (choice 2: Execution step 1.b.ii enqueues "optionally", once per collected value).
enum class JobsEnqueued : std::uint8_t {
  OnePerRegistry,  // one job standing for all of the registry's collected values
  None,            // no job: the emptied cells wait for another collection's job
  OnePerValue,     // one job per distinct collected value, as step 1.b.ii reads
};

// What a pending cleanup job does to its registry (choice 3).
enum class JobHold : std::uint8_t {
  Strong,  // keeps it alive, and runs
  Weak,    // lets it die while the job waits; the job of a dead registry is dropped
};

struct ExpectOk {};         // expect ok: normal completion
struct ExpectTypeError {};  // expect TypeError
struct ExpectNewTargetError {};  // expect NewTargetError: NewTarget's prototype getter threw
struct ExpectValue {        // expect <operand> | @N: normal completion, SameValue
  std::variant<Operand, HeapId> value;
};
struct ExpectedCall {
  std::variant<Operand, HeapId> registry;
  std::variant<Operand, HeapId> held;
};
struct ExpectCalls {  // expect calls r(v) ... | expect calls none   (turn)
  std::vector<ExpectedCall> calls;
};
struct ExpectCollected {  // expect collected @1 @2 | expect collected none   (gc)
  std::vector<HeapId> ids;
};
struct Expectation {
  std::variant<ExpectOk, ExpectTypeError, ExpectNewTargetError, ExpectValue, ExpectCalls,
               ExpectCollected>
      what;
  int line = 0;  // 1-based line in the .fr file, 0 when not from text
};

struct Op {
  OpKind kind = OpKind::NewObject;
  std::optional<Handle> dest = {};  // the handle an op assigns (required for New*/Assign)
  std::vector<Operand> args = {};  // in source order; arity: model/op_facts.h
  std::optional<std::string> description = {};  // NewSymbol only
  std::vector<Op> body = {};                    // NewRegistry: the cleanup callback
  // NewRegistry: its operands are the values the cleanup callback closes over (its
  // captures), kept alive by the callback as long as the registry lives; or, with
  // registryCallbackArg, the one value passed as cleanupCallback instead of the
  // program's function (no .fr value is callable), and then there is no body.
  RegistryNewTarget registryNewTarget = RegistryNewTarget::Constructor;
  bool registryCallbackArg = false;
  bool registryAsync = false;  // NewRegistry: the cleanup callback is an async function
  std::vector<HeapId> gcOnly = {};              // Gc: empty = every unreachable value
  JobsEnqueued gcEnqueue = JobsEnqueued::OnePerRegistry;  // Gc: jobs per registry emptied
  JobHold gcHold = JobHold::Strong;                       // Gc: what its jobs hold
  std::optional<std::vector<std::uint32_t>> turnJobs = {};  // Turn: pending-job indices, in
                                                       // run order; nullopt = all, FIFO
  CellOrder turnOrder = CellOrder::Fifo;               // Turn
  std::optional<std::uint32_t> turnLimit = {};         // Turn: callbacks per job at most
  bool turnRepost = false;  // Turn: a job ended by a throw is posted again for the cells left
  std::uint32_t repeatCount = 1;  // Repeat: 1 .. kMaxRepeat
  std::vector<Expectation> expects = {};

  // Source only (not semantics; the binary form drops them).
  int line = 0;
  int column = 0;
  std::vector<std::string> comments = {};  // full comment lines before the op, without '#'
  std::string trailingComment = {};        // after the op on its line, without '#'
};

struct Program {
  Profile profile = Profile::Es2023;
  int callbackBudget = kDefaultCallbackBudget;  // 0 .. kMaxCallbackBudget
  std::vector<Op> ops = {};
  std::vector<std::string> trailingComments = {};  // comment lines after the last op
};

std::string_view OpKindName(OpKind kind);  // its keyword: "object", "register", ...

// How many cleanup jobs a collection enqueues, as `enqueue` says, for a registry whose
// cells targeted `values` distinct collected values (none when 0): the program's host
// and the checker's books of it agree by both asking this.
std::uint32_t JobsEnqueuedFor(JobsEnqueued enqueue, std::uint32_t values);

// Drops comments, expectations and source positions: what the binary form keeps.
Program StripToSemantics(const Program& program);

// Ops in a list or a program, callback bodies included: a program's size for budgets,
// generators and minimization reports.
int OpCount(const std::vector<Op>& ops);
int OpCount(const Program& program);

}  // namespace finrig
