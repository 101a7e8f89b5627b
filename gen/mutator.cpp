#include "gen/mutator.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "gen/scenarios.h"
#include "gen/weights.h"
#include "model/binary.h"
#include "model/op_facts.h"
#include "model/splitmix.h"

namespace finrig::gen {

std::string_view MutationName(Mutation mutation) {
  switch (mutation) {
    case Mutation::InsertOp: return "insert-op";
    case Mutation::DeleteOp: return "delete-op";
    case Mutation::DuplicateOp: return "duplicate-op";
    case Mutation::CopyOp: return "copy-op";
    case Mutation::SwapOps: return "swap-ops";
    case Mutation::EditOp: return "edit-op";
    case Mutation::ToggleProfile: return "toggle-profile";
    case Mutation::EditBudget: return "edit-budget";
    case Mutation::EditBody: return "edit-body";
    case Mutation::ByteOp: return "byte-op";
    case Mutation::ByteAll: return "byte-all";
  }
  return "?";
}

namespace {

// SplitMix64 (the same on every platform, unlike std's distributions), with the
// draws the mutations make.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : random_(seed ^ 0x6a09e667f3bcc909ull) {}

  std::size_t Below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(random_.Next() % n); }
  bool OneIn(std::size_t n) { return Below(n) == 0; }
  bool Coin() { return (random_.Next() & 1) != 0; }

  // An index into weights, with probability proportional to its weight (all zero: 0).
  std::size_t Weighted(std::span<const int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    if (total <= 0) return 0;
    auto pick = static_cast<int>(Below(static_cast<std::size_t>(total)));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (pick < weights[i]) return i;
      pick -= weights[i];
    }
    return weights.size() - 1;
  }

  template <class T, std::size_t N>
  const T& Element(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  SplitMix64 random_;
};

// What a handle holds, as far as picking operands goes: registrations want a registry
// first, objects next; derefs want WeakRefs. (Any: nothing in particular.)
using Role = ArgRole;

// The handles at a point of the program, in decode order (which is also which handles
// an operand there may name without being redirected).
struct Scope {
  std::bitset<kHandleCount> assigned;
  std::array<Role, kHandleCount> role{};
  int allocations = 0;  // heap things made so far: about the next @id

  void Note(const Op& op) {
    const OpFacts& facts = FactsOf(op.kind);
    if (facts.dest == DestUse::Names) {
      if (op.dest) role[*op.dest] = Role::Any;
      return;
    }
    if (!op.dest) return;
    if (facts.allocates) ++allocations;
    Role r = facts.result;
    if (r == Role::Any) {  // an assignment: whatever its operand holds
      const auto* ref = op.args.empty() ? nullptr : std::get_if<HandleRef>(&op.args[0]);
      r = ref != nullptr && assigned.test(ref->handle) ? role[ref->handle] : Role::Any;
    }
    assigned.set(*op.dest);
    role[*op.dest] = r;
  }
};

// Scans ops (a list at depth) in decode order up to position `index` of `list`,
// noting assignments; true when it got there.
bool ScanTo(const std::vector<Op>& ops, int depth, const std::vector<Op>* list,
            std::size_t index, Scope& scope) {
  for (std::size_t i = 0;; ++i) {
    if (&ops == list && i == index) return true;
    if (i >= ops.size()) return false;
    const Op& op = ops[i];
    if (!AllowedAt(op.kind, depth)) continue;  // the decoder skips it
    scope.Note(op);
    if (HasBody(op, depth) && ScanTo(op.body, depth + 1, list, index, scope)) return true;
  }
}

Scope ScopeAt(const Program& program, const std::vector<Op>* list, std::size_t index) {
  Scope scope;
  ScanTo(program.ops, 0, list, index, scope);
  return scope;
}

struct ListRef {
  std::vector<Op>* ops;
  int depth;
};

void CollectLists(std::vector<Op>& ops, int depth, std::vector<ListRef>& out) {
  out.push_back({&ops, depth});
  for (Op& op : ops) {
    if (HasBody(op, depth)) CollectLists(op.body, depth + 1, out);
  }
}

std::vector<ListRef> Lists(Program& program) {
  std::vector<ListRef> lists;
  CollectLists(program.ops, 0, lists);
  return lists;
}

// A copied op placed at `depth`: bodies the decoder would not read are dropped.
void FitToDepth(Op& op, int depth) {
  if (!FactsOf(op.kind).opensBody) return;
  if (depth >= kMaxBodyDepth) {
    op.body.clear();
    return;
  }
  for (Op& inner : op.body) FitToDepth(inner, depth + 1);
}

// Generates ops the way props/generators.cpp does, on the handles the program has at
// the insertion point: registrations meet registries and objects, derefs meet WeakRefs.
class OpGen {
 public:
  OpGen(Rng& rng, Scope scope, int depth) : rng_(rng), scope_(std::move(scope)), depth_(depth) {}

  std::optional<Handle> PickHandle(Role role) {
    if (scope_.assigned.none()) return std::nullopt;
    std::array<Handle, kHandleCount> fitting{};
    std::array<Handle, kHandleCount> any{};
    std::size_t nFitting = 0, nAny = 0;
    for (int h = 0; h < kHandleCount; ++h) {
      if (!scope_.assigned.test(h)) continue;
      any[nAny++] = static_cast<Handle>(h);
      if (scope_.role[h] == role) fitting[nFitting++] = static_cast<Handle>(h);
    }
    if (role != Role::Any && nFitting > 0 && !rng_.OneIn(6)) return fitting[rng_.Below(nFitting)];
    return any[rng_.Below(nAny)];
  }

  // A handle to assign: one in use (replacing its value), the lowest free one, or any
  // small one.
  Handle PickDest(Role role) {
    const std::size_t how = rng_.Below(8);
    if (how < 3 && scope_.assigned.any()) return *PickHandle(role);
    if (how < 7) {
      for (int h = 0; h < kHandleCount; ++h) {
        if (!scope_.assigned.test(h)) return static_cast<Handle>(h);
      }
    }
    return static_cast<Handle>(rng_.Below(8));
  }

  Value Literal() {
    switch (static_cast<LiteralChoice>(rng_.Weighted(kLiteralWeights))) {
      case LiteralChoice::Undefined: return Undefined{};
      case LiteralChoice::Null: return Null{};
      case LiteralChoice::Boolean: return rng_.Coin();
      case LiteralChoice::Number: return rng_.Element(kNumbers);
      case LiteralChoice::String: return String{std::string(rng_.Element(kStrings))};
      case LiteralChoice::BigInt: return BigInt{std::string(rng_.Element(kBigInts))};
      case LiteralChoice::RegisteredSymbol:
        return RegisteredSymbol{std::string(rng_.Element(kRegisteredKeys))};
      case LiteralChoice::WellKnownSymbol:
        return WellKnownSymbol{std::string(rng_.Element(kWellKnownNames))};
    }
    return Undefined{};
  }

  // Mostly handles, so that the same values meet in many positions.
  Operand RandomOperand(Role role) {
    const std::array<int, 3> weights = {scope_.assigned.any() ? 16 : 0, depth_ > 0 ? 4 : 0, 2};
    switch (rng_.Weighted(weights)) {
      case 0: return HandleRef{*PickHandle(role)};
      case 1: return HeldRef{};
      default: return Literal();
    }
  }

  // Half strings (delivery shows plainly), half any operand (the target itself is a
  // TypeError; an object keeps its referents alive).
  Operand HeldValue() {
    if (rng_.Coin()) return Value{String{std::string(rng_.Element(kHeldStrings))}};
    return RandomOperand(Role::Any);
  }

  Operand ArgFor(OpKind kind, std::size_t index) {
    const Role role = FactsOf(kind).roles[index];
    return role == Role::HeldValue ? HeldValue() : RandomOperand(role);
  }

  // The handle a new value of this kind goes to: its registries and WeakRefs among
  // their like, anything else among the objects.
  static Role DestRole(OpKind kind) {
    const Role result = FactsOf(kind).result;
    return result == Role::Registry || result == Role::WeakRef || result == Role::Weak
               ? result
               : Role::Object;
  }

  std::vector<HeapId> HeapIds() {
    std::vector<HeapId> ids;
    const std::size_t n = 1 + rng_.Below(3);
    for (std::size_t i = 0; i < n; ++i) {
      ids.push_back(static_cast<HeapId>(rng_.Below(static_cast<std::size_t>(scope_.allocations) + 2)));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  std::vector<std::uint32_t> Jobs() {
    std::vector<std::uint32_t> jobs;
    const std::size_t n = rng_.Below(3);
    for (std::size_t i = 0; i < n; ++i) jobs.push_back(static_cast<std::uint32_t>(rng_.Below(3)));
    return jobs;
  }

  Op TurnWithOptions() {
    Op op{.kind = OpKind::Turn};
    if (rng_.Coin()) op.turnJobs = Jobs();
    if (rng_.Coin()) op.turnOrder = CellOrder::Lifo;
    if (rng_.Coin()) op.turnLimit = static_cast<std::uint32_t>(rng_.Below(3));
    op.turnRepost = rng_.OneIn(3);
    return op;
  }

  // A gc that states what its collection's jobs are; now and then only some ids.
  Op GcWithChoices() {
    Op op{.kind = OpKind::Gc};
    if (rng_.OneIn(4)) op.gcOnly = HeapIds();
    op.gcEnqueue = static_cast<JobsEnqueued>(rng_.Below(3));
    if (rng_.Coin()) op.gcHold = JobHold::Weak;
    return op;
  }

  // A few ops for the body of the registry in `dest`, generated in the body's scope.
  std::vector<Op> Body(Handle dest) {
    if (depth_ >= kMaxBodyDepth) return {};
    Scope inner = scope_;
    inner.Note(Op{.kind = OpKind::NewRegistry, .dest = dest});
    OpGen gen(rng_, std::move(inner), depth_ + 1);
    std::vector<Op> body;
    const std::size_t n = 1 + rng_.Below(3);
    for (std::size_t i = 0; i < n; ++i) body.push_back(gen.RandomOp());
    // A body that ends in `throw` ends every job of its registry after one call.
    if (rng_.OneIn(3)) body.push_back(Op{.kind = OpKind::Throw});
    return body;
  }

  Op Registry(bool withBody, std::size_t captures = 0) {
    Op op{.kind = OpKind::NewRegistry};
    // Captured before the registry's handle is assigned, as the parser reads them.
    for (std::size_t i = 0; i < captures; ++i) op.args.push_back(RandomOperand(Role::Object));
    op.dest = PickDest(Role::Registry);
    if (withBody) op.body = Body(*op.dest);
    return op;
  }

  // then { ... }: a promise job of a gc and a deref, which see what the synchronous run
  // kept alive, or of 1-2 ops; its assignments stay in its scope, as a body's do.
  Op Then() {
    Op op{.kind = OpKind::Then};
    if (depth_ >= kMaxBodyDepth) return op;
    OpGen gen(rng_, scope_, depth_ + 1);
    if (rng_.Coin()) {
      op.body = {Op{.kind = OpKind::Gc}, Op{.kind = OpKind::Deref, .args = {gen.RandomOperand(Role::WeakRef)}}};
      return op;
    }
    const std::size_t n = 1 + rng_.Below(2);
    for (std::size_t i = 0; i < n; ++i) op.body.push_back(gen.RandomOp());
    return op;
  }

  // One op, never a scenario: for bodies, and to replace an op.
  Op RandomOp() { return OpOf(PickChoice(/*scenarios=*/false)); }

  // repeat N { 1-3 ops }, a register's heldValue the iteration: N distinct cells. (A
  // repeat drawn for its body, or made where one may not stand, the decoder drops.)
  Op Repeat() {
    Op op{.kind = OpKind::Repeat, .repeatCount = rng_.Element(kRepeatCounts)};
    const std::size_t n = 1 + rng_.Below(3);
    for (std::size_t i = 0; i < n; ++i) {
      Op inner = RandomOp();
      if (inner.kind == OpKind::Register) inner.args[2] = IterationRef{};
      op.body.push_back(std::move(inner));
    }
    return op;
  }

  // What InsertOp inserts: an op, or at top level now and then a scenario's ops.
  std::vector<Op> RandomOps() {
    const OpChoice choice = PickChoice(/*scenarios=*/true);
    if (choice != OpChoice::Scenario) return {OpOf(choice)};
    return MakeScenario({.scenario = static_cast<Scenario>(rng_.Weighted(kScenarioWeights)),
                         .first = 0,
                         .count = kScenarioHandles,
                         .shift = static_cast<int>(rng_.Below(kScenarioHandles)),
                         .variation = static_cast<std::uint32_t>(rng_.Below(kScenarioVariations))});
  }

 private:
  // Scenarios use the low handles, as programs mostly do: h0..h7.
  static constexpr int kScenarioHandles = 8;

  OpChoice PickChoice(bool scenarios) {
    std::array<int, kOpWeights.size()> weights{};
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = WeightAt(OpChoice(i), depth_);
    if (!scenarios) weights[std::size_t(OpChoice::Scenario)] = 0;
    if (scope_.assigned.none()) {
      // Nothing to use yet: make something (a scenario makes its own).
      const int scenario = weights[std::size_t(OpChoice::Scenario)];
      weights.fill(0);
      weights[std::size_t(OpChoice::Object)] = 1;
      weights[std::size_t(OpChoice::Registry)] = 1;
      weights[std::size_t(OpChoice::Scenario)] = scenario > 0 ? 1 : 0;
    }
    return static_cast<OpChoice>(rng_.Weighted(weights));
  }

  Op OpOf(OpChoice choice) {
    const bool top = depth_ == 0;
    switch (choice) {
      case OpChoice::Object: return Op{.kind = OpKind::NewObject, .dest = PickDest(Role::Object)};
      case OpChoice::Symbol: {
        Op op{.kind = OpKind::NewSymbol, .dest = PickDest(Role::Object)};
        if (rng_.Coin()) op.description = kSymbolDescription;
        return op;
      }
      case OpChoice::Assign: {
        Operand value = RandomOperand(Role::Any);
        return Op{.kind = OpKind::Assign, .dest = PickDest(Role::Any), .args = {std::move(value)}};
      }
      case OpChoice::Registry: return Registry(depth_ < kMaxBodyDepth && rng_.OneIn(top ? 3 : 4));
      case OpChoice::CapturingRegistry:
        return Registry(depth_ < kMaxBodyDepth && rng_.OneIn(4), 1 + rng_.Below(kMaxCaptures));
      case OpChoice::AsyncRegistry: {
        Op op = Registry(depth_ < kMaxBodyDepth);
        op.registryAsync = true;
        if (!op.body.empty() && op.body.back().kind != OpKind::Throw) {
          op.body.push_back(Op{.kind = OpKind::Throw});
        }
        return op;
      }
      case OpChoice::RegistryChecks: {
        Op op = Registry(false);
        op.registryNewTarget = static_cast<RegistryNewTarget>(rng_.Below(3));
        if (rng_.Coin()) {
          op.registryCallbackArg = true;
          op.args = {RandomOperand(Role::Any)};
        }
        return op;
      }
      case OpChoice::WeakRef: {
        Operand target = RandomOperand(Role::Object);
        return Op{.kind = OpKind::NewWeakRef, .dest = PickDest(Role::WeakRef), .args = {std::move(target)}};
      }
      case OpChoice::Deref: {
        Op op{.kind = OpKind::Deref, .args = {RandomOperand(Role::WeakRef)}};
        if (rng_.Coin()) op.dest = PickDest(Role::Object);
        return op;
      }
      case OpChoice::Register: {
        Op op{.kind = OpKind::Register};
        for (std::size_t i = 0; i < 3; ++i) op.args.push_back(ArgFor(OpKind::Register, i));
        if (rng_.Coin()) op.args.push_back(ArgFor(OpKind::Register, 3));
        return op;
      }
      case OpChoice::Unregister:
        return Op{.kind = OpKind::Unregister,
                  .args = {ArgFor(OpKind::Unregister, 0), ArgFor(OpKind::Unregister, 1)}};
      case OpChoice::Link:
      case OpChoice::Unlink: {
        Op op{.kind = rng_.OneIn(3) ? OpKind::Unlink : OpKind::Link};
        op.args.push_back(RandomOperand(Role::Object));
        op.args.push_back(RandomOperand(Role::Object));
        return op;
      }
      case OpChoice::WeakCollection:
        return Op{.kind = rng_.OneIn(3) ? OpKind::NewWeakSet : OpKind::NewWeakMap,
                  .dest = PickDest(Role::Weak)};
      case OpChoice::WeakEntry: {
        const OpKind kind = rng_.OneIn(3) ? OpKind::WeakSetAdd : OpKind::WeakMapSet;
        Op op{.kind = kind};
        for (std::size_t i = 0; i < FactsOf(kind).maxArgs; ++i) op.args.push_back(ArgFor(kind, i));
        return op;
      }
      case OpChoice::WeakQuery: {
        constexpr std::array kQueries = {OpKind::WeakMapGet, OpKind::WeakHas, OpKind::WeakDelete};
        Op op{.kind = rng_.Element(kQueries)};
        op.args = {ArgFor(op.kind, 0), ArgFor(op.kind, 1)};
        if (op.kind == OpKind::WeakMapGet && rng_.Coin()) op.dest = PickDest(Role::Object);
        return op;
      }
      case OpChoice::Drop: {
        const std::optional<Handle> h = PickHandle(rng_.OneIn(5) ? Role::Registry : Role::Object);
        return Op{.kind = OpKind::Drop, .dest = h.value_or(0)};
      }
      case OpChoice::Gc: return Op{.kind = OpKind::Gc};
      case OpChoice::PartialGc: return Op{.kind = OpKind::Gc, .gcOnly = HeapIds()};
      case OpChoice::GcChoices: return GcWithChoices();
      case OpChoice::Turn: return Op{.kind = OpKind::Turn};
      case OpChoice::TurnOptions: return TurnWithOptions();
      case OpChoice::Repeat: return Repeat();
      case OpChoice::Then: return Then();
      default: {  // OpChoice::Throw (PickChoice drew no Scenario)
        Op op{.kind = OpKind::Throw};
        if (rng_.Coin()) op.args.push_back(RandomOperand(Role::Any));
        return op;
      }
    }
  }

  Rng& rng_;
  Scope scope_;
  int depth_;
};

// Adds or takes away the part of `op` its kind makes optional (a last operand, the
// dest, the payload's parts, the body), or changes a payload's.
void EditOptionalPart(Op& op, OpGen& gen, Rng& rng) {
  const OpFacts& facts = FactsOf(op.kind);
  if (facts.payload == Payload::RegistryOptions && rng.OneIn(3)) {
    // How the constructor is called, and with what callback (its own part, so that the
    // captures and the body below are edited as often as before).
    const std::size_t part = rng.Below(4);
    if (part < 2) {
      op.registryNewTarget = static_cast<RegistryNewTarget>(rng.Below(3));
    } else if (part == 2 && !op.registryCallbackArg) {
      op.registryAsync = !op.registryAsync;
    } else if (op.registryCallbackArg) {
      op.registryCallbackArg = false;
      op.args.clear();
    } else {
      op.registryCallbackArg = true;
      op.registryAsync = false;
      op.args = {gen.ArgFor(op.kind, 0)};
      op.body.clear();
    }
    return;
  }
  // Register's token, throw's operand, or one of a registry's captures (else its body).
  if (facts.maxArgs > facts.minArgs && !(facts.opensBody && rng.Coin())) {
    if (op.registryCallbackArg) return;  // its one operand; kArg edits it
    const bool some = op.args.size() > facts.minArgs;
    if (some && (op.args.size() >= facts.maxArgs || rng.Coin())) {
      op.args.pop_back();
    } else {
      if (!some) op.args.resize(facts.minArgs, Value{Undefined{}});
      op.args.push_back(gen.ArgFor(op.kind, op.args.size()));
    }
    return;
  }
  if (facts.dest == DestUse::MayAssign) {
    if (op.dest) {
      op.dest.reset();
    } else {
      op.dest = gen.PickDest(OpGen::DestRole(op.kind));
    }
    return;
  }
  if (facts.opensBody && !op.registryCallbackArg) {
    if (op.body.empty()) {
      op.body = gen.Body(op.dest.value_or(0));
    } else if (rng.OneIn(3)) {
      op.body.clear();
    } else {
      op.body.push_back(Op{.kind = OpKind::Throw});
    }
    return;
  }
  switch (facts.payload) {
    case Payload::None:
    case Payload::RegistryOptions: return;  // above
    case Payload::RepeatCount: op.repeatCount = rng.Element(kRepeatCounts); return;
    case Payload::Description:
      if (op.description) {
        op.description.reset();
      } else {
        static constexpr std::array<std::string_view, 3> kDescriptions = {"s", "", "t"};
        op.description = std::string(rng.Element(kDescriptions));
      }
      return;
    case Payload::GcOptions:
      if (rng.OneIn(4)) {
        if (rng.Coin()) {
          op.gcEnqueue = static_cast<JobsEnqueued>(rng.Below(3));
        } else {
          op.gcHold = op.gcHold == JobHold::Weak ? JobHold::Strong : JobHold::Weak;
        }
      } else if (op.gcOnly.empty() || rng.OneIn(3)) {
        op.gcOnly = op.gcOnly.empty() ? gen.HeapIds() : std::vector<HeapId>{};
      } else if (rng.Coin() && op.gcOnly.size() > 1) {
        op.gcOnly.erase(op.gcOnly.begin() + static_cast<std::ptrdiff_t>(rng.Below(op.gcOnly.size())));
      } else {
        const std::vector<HeapId> more = gen.HeapIds();
        op.gcOnly.insert(op.gcOnly.end(), more.begin(), more.end());
        std::sort(op.gcOnly.begin(), op.gcOnly.end());
        op.gcOnly.erase(std::unique(op.gcOnly.begin(), op.gcOnly.end()), op.gcOnly.end());
      }
      return;
    case Payload::TurnOptions:
      switch (rng.Below(5)) {
        case 0:
          op.turnOrder = op.turnOrder == CellOrder::Lifo ? CellOrder::Fifo : CellOrder::Lifo;
          return;
        case 4: op.turnRepost = !op.turnRepost; return;
        case 1:
          if (op.turnLimit && rng.Coin()) {
            op.turnLimit.reset();
          } else {
            op.turnLimit = static_cast<std::uint32_t>(rng.Below(3));
          }
          return;
        case 2:
          if (op.turnJobs && rng.Coin()) {
            op.turnJobs.reset();
          } else {
            op.turnJobs = gen.Jobs();
          }
          return;
        default:
          if (op.turnJobs && !op.turnJobs->empty()) {
            (*op.turnJobs)[rng.Below(op.turnJobs->size())] = static_cast<std::uint32_t>(rng.Below(4));
          } else {
            op = gen.TurnWithOptions();
          }
          return;
      }
  }
}

// One edit of one op, at the point whose scope `gen` has: an operand, the dest, an
// option, the body, a related kind, or a fresh op in its place.
void EditOp(Op& op, OpGen& gen, Rng& rng, int depth) {
  enum Edit { kArg, kSwapArgs, kDest, kOption, kKind, kReplace, kEdits };
  std::array<int, kEdits> weights{};
  weights[kArg] = op.args.empty() ? 0 : 8;
  weights[kSwapArgs] = op.args.size() >= 2 ? 1 : 0;
  weights[kDest] = op.dest ? 3 : 0;
  const OpFacts& facts = FactsOf(op.kind);
  if (facts.dest == DestUse::MayAssign || facts.maxArgs > facts.minArgs ||
      facts.payload != Payload::None) {
    weights[kOption] = 5;
  } else if (facts.opensBody) {
    weights[kOption] = depth < kMaxBodyDepth ? 4 : 0;
  }
  weights[kKind] = 2;
  weights[kReplace] = 1;
  switch (rng.Weighted(weights)) {
    case kArg: {
      const std::size_t i = rng.Below(op.args.size());
      op.args[i] = gen.ArgFor(op.kind, i);
      return;
    }
    case kSwapArgs: {
      const std::size_t i = rng.Below(op.args.size());
      const std::size_t j = rng.Below(op.args.size());
      std::swap(op.args[i], op.args[j == i ? (i + 1) % op.args.size() : j]);
      return;
    }
    case kDest:
      op.dest = facts.dest == DestUse::Names ? gen.PickHandle(Role::Object).value_or(0)
                                             : gen.PickDest(OpGen::DestRole(op.kind));
      return;
    case kOption: EditOptionalPart(op, gen, rng); return;
    case kKind:
      switch (op.kind) {
        case OpKind::Link: op.kind = OpKind::Unlink; return;
        case OpKind::Unlink: op.kind = OpKind::Link; return;
        case OpKind::Register: {  // unregister the registry with the token (or the target)
          Operand token = op.args.size() > 3 ? op.args[3] : op.args.at(1);
          op = Op{.kind = OpKind::Unregister, .args = {op.args.at(0), std::move(token)}};
          return;
        }
        case OpKind::Unregister: {  // register with it as the token
          Operand registry = op.args.at(0), token = op.args.at(1);
          op = Op{.kind = OpKind::Register,
                  .args = {std::move(registry), gen.ArgFor(OpKind::Register, 1),
                           gen.ArgFor(OpKind::Register, 2), std::move(token)}};
          return;
        }
        case OpKind::NewObject: op.kind = OpKind::NewSymbol; return;
        case OpKind::NewSymbol:
          op.kind = OpKind::NewObject;
          op.description.reset();
          return;
        case OpKind::NewWeakRef: op.kind = OpKind::Assign; return;
        case OpKind::Assign: op.kind = OpKind::NewWeakRef; return;
        case OpKind::Drop: op.kind = OpKind::NewObject; return;
        case OpKind::Gc:
          op = depth == 0 ? gen.TurnWithOptions() : Op{.kind = OpKind::Throw};
          return;
        case OpKind::Turn: op = Op{.kind = OpKind::Gc}; return;
        case OpKind::NewWeakMap: op.kind = OpKind::NewWeakSet; return;
        case OpKind::NewWeakSet: op.kind = OpKind::NewWeakMap; return;
        case OpKind::WeakMapSet:  // the same key, added to a set
          op.kind = OpKind::WeakSetAdd;
          op.args.resize(2);
          return;
        case OpKind::WeakSetAdd:
          op.kind = OpKind::WeakMapSet;
          op.args.push_back(gen.ArgFor(OpKind::WeakMapSet, 2));
          return;
        case OpKind::WeakMapGet:
          op.kind = OpKind::WeakHas;
          op.dest.reset();
          return;
        case OpKind::WeakHas: op.kind = OpKind::WeakDelete; return;
        case OpKind::WeakDelete: op.kind = OpKind::WeakMapGet; return;
        default: op = gen.RandomOp(); return;
      }
    default: op = gen.RandomOp(); return;
  }
}

// The mutations, one class each as Fuzzilli's: CanMutate says, without drawing, whether
// the mutation could apply at all; Mutate applies it, and may still give up after its
// draws (a swap in a list that turned out to hold one op). Which draws are made, in
// which order, is part of the output: fuzz seeds, regressions and `finrig diff --seed`
// name mutants by seed, so a CanMutate that is false must be one that drew nothing.
class Mutator {
 public:
  virtual bool CanMutate(const Program& program) const = 0;
  virtual bool Mutate(Program& program, Rng& rng) const = 0;

 protected:
  // Constants in the table, never deleted through a Mutator.
  ~Mutator() = default;
};

// Fuzzilli's BaseInstructionMutator, on op lists: mostly the top level, sometimes a
// body; the subclass edits the list. EditBody reuses the list edits on bodies.
class ListMutator : public Mutator {
 public:
  bool CanMutate(const Program& program) const override { return !program.ops.empty(); }
  bool Mutate(Program& program, Rng& rng) const final {
    const std::vector<ListRef> lists = Lists(program);
    const ListRef list = lists.size() == 1 || !rng.OneIn(4) ? lists.front() : lists[rng.Below(lists.size())];
    return MutateList(program, list, rng);
  }
  // `list` points into `program`.
  virtual bool MutateList(Program& program, ListRef list, Rng& rng) const = 0;
};

class InsertOp final : public ListMutator {
 public:
  // An insertion always applies, so an empty program grows.
  bool CanMutate(const Program&) const override { return true; }
  bool MutateList(Program& program, ListRef list, Rng& rng) const override {
    const std::size_t at = rng.Below(list.ops->size() + 1);
    OpGen gen(rng, ScopeAt(program, list.ops, at), list.depth);
    std::vector<Op> ops = gen.RandomOps();
    list.ops->insert(list.ops->begin() + static_cast<std::ptrdiff_t>(at),
                     std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
    return true;
  }
};

class DeleteOp final : public ListMutator {
 public:
  bool MutateList(Program&, ListRef list, Rng& rng) const override {
    if (list.ops->empty()) return false;
    list.ops->erase(list.ops->begin() + static_cast<std::ptrdiff_t>(rng.Below(list.ops->size())));
    return true;
  }
};

class DuplicateOp final : public ListMutator {
 public:
  bool MutateList(Program&, ListRef list, Rng& rng) const override {
    if (list.ops->empty()) return false;
    const std::size_t i = rng.Below(list.ops->size());
    Op copy = (*list.ops)[i];
    list.ops->insert(list.ops->begin() + static_cast<std::ptrdiff_t>(i + 1), std::move(copy));
    return true;
  }
};

class SwapOps final : public ListMutator {
 public:
  bool MutateList(Program&, ListRef list, Rng& rng) const override {
    if (list.ops->size() < 2) return false;
    const std::size_t i = rng.Below(list.ops->size() - 1);
    std::swap((*list.ops)[i], (*list.ops)[i + 1]);
    return true;
  }
};

class EditOneOp final : public ListMutator {
 public:
  bool MutateList(Program& program, ListRef list, Rng& rng) const override {
    if (list.ops->empty()) return false;
    const std::size_t i = rng.Below(list.ops->size());
    OpGen gen(rng, ScopeAt(program, list.ops, i), list.depth);
    EditOp((*list.ops)[i], gen, rng, list.depth);
    return true;
  }
};

// An op from anywhere, to the top level mostly; gives up when its kind may not stand
// there (after its draws).
class CopyOp final : public Mutator {
 public:
  bool CanMutate(const Program& program) const override { return !program.ops.empty(); }
  bool Mutate(Program& program, Rng& rng) const override {
    std::vector<ListRef> lists = Lists(program);
    std::vector<std::pair<std::size_t, std::size_t>> ops;  // (list, index)
    for (std::size_t l = 0; l < lists.size(); ++l) {
      for (std::size_t i = 0; i < lists[l].ops->size(); ++i) ops.emplace_back(l, i);
    }
    const auto [from, index] = ops[rng.Below(ops.size())];
    Op copy = (*lists[from].ops)[index];
    const ListRef to = lists.size() == 1 || !rng.OneIn(3) ? lists.front() : lists[rng.Below(lists.size())];
    if (!AllowedAt(copy.kind, to.depth)) return false;
    FitToDepth(copy, to.depth);
    const std::size_t at = rng.Below(to.ops->size() + 1);
    to.ops->insert(to.ops->begin() + static_cast<std::ptrdiff_t>(at), std::move(copy));
    return true;
  }
};

class ToggleProfile final : public Mutator {
 public:
  bool CanMutate(const Program&) const override { return true; }
  bool Mutate(Program& program, Rng&) const override {
    program.profile = program.profile == Profile::Es2021 ? Profile::Es2023 : Profile::Es2021;
    return true;
  }
};

class EditBudget final : public Mutator {
 public:
  bool CanMutate(const Program&) const override { return true; }
  bool Mutate(Program& program, Rng& rng) const override {
    program.callbackBudget = program.callbackBudget != kDefaultCallbackBudget && rng.Coin()
                                 ? kDefaultCallbackBudget
                                 : static_cast<int>(rng.Below(kMaxSmallBudget + 1));
    return true;
  }
};

// A list edit inside a callback body (the table's inBody column picks which); with no
// body yet, or now and then, a body for a registry without one, or a new registry
// with a body.
class EditBody final : public Mutator {
 public:
  bool CanMutate(const Program&) const override { return true; }
  bool Mutate(Program& program, Rng& rng) const override;
};

// The mutators, in Mutation order, each with its row of gen/weights.h's
// kMutationWeights: how often it is made, once the program is past kSoftOps (mostly
// shrinking), and as EditBody's edit of a body (list edits only).
struct MutatorRow {
  Mutation mutation;
  const Mutator& mutator;
  int weight;
  int whenBig;
  int inBody;
};

constexpr InsertOp kInsertOp;
constexpr DeleteOp kDeleteOp;
constexpr DuplicateOp kDuplicateOp;
constexpr CopyOp kCopyOp;
constexpr SwapOps kSwapOps;
constexpr EditOneOp kEditOp;
constexpr ToggleProfile kToggleProfile;
constexpr EditBody kEditBody;
constexpr EditBudget kEditBudget;

constexpr MutatorRow Row(const Mutator& mutator, Mutation mutation) {
  const MutationWeight& w = kMutationWeights[static_cast<std::size_t>(mutation)];
  return {mutation, mutator, w.weight, w.whenBig, w.inBody};
}

constexpr std::array<MutatorRow, kMutationWeights.size()> kMutators = {{
    Row(kInsertOp, Mutation::InsertOp),
    Row(kDeleteOp, Mutation::DeleteOp),
    Row(kDuplicateOp, Mutation::DuplicateOp),
    Row(kCopyOp, Mutation::CopyOp),
    Row(kSwapOps, Mutation::SwapOps),
    Row(kEditOp, Mutation::EditOp),
    Row(kToggleProfile, Mutation::ToggleProfile),
    Row(kEditBody, Mutation::EditBody),
    Row(kEditBudget, Mutation::EditBudget),
}};

constexpr bool MutatorsInMutationOrder() {
  for (std::size_t i = 0; i < kMutators.size(); ++i) {
    if (static_cast<std::size_t>(kMutators[i].mutation) != i) return false;
    if (kMutationWeights[i].mutation != kMutators[i].mutation) return false;
  }
  return kMutators.back().mutation == Mutation::EditBudget;
}
static_assert(MutatorsInMutationOrder(), "one row per structural Mutation, in its order");

const MutatorRow& PickMutator(Rng& rng, int MutatorRow::*column) {
  std::array<int, kMutators.size()> weights{};
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = kMutators[i].*column;
  return kMutators[rng.Weighted(weights)];
}


bool EditBody::Mutate(Program& program, Rng& rng) const {
  std::vector<ListRef> bodies;
  std::vector<std::pair<ListRef, std::size_t>> registries;  // with an empty body
  for (const ListRef& list : Lists(program)) {
    if (list.depth > 0 && !list.ops->empty()) bodies.push_back(list);
    for (std::size_t i = 0; i < list.ops->size(); ++i) {
      if (HasBody((*list.ops)[i], list.depth) && (*list.ops)[i].body.empty()) {
        registries.emplace_back(list, i);
      }
    }
  }
  if (bodies.empty() || (!registries.empty() && rng.OneIn(5))) {
    if (registries.empty()) {  // a new registry with a body
      const std::size_t at = rng.Below(program.ops.size() + 1);
      OpGen gen(rng, ScopeAt(program, &program.ops, at), 0);
      Op op = gen.Registry(true);
      program.ops.insert(program.ops.begin() + static_cast<std::ptrdiff_t>(at), std::move(op));
      return true;
    }
    const auto [list, i] = registries[rng.Below(registries.size())];
    Op& registry = (*list.ops)[i];
    OpGen gen(rng, ScopeAt(program, list.ops, i), list.depth);
    registry.body = gen.Body(registry.dest.value_or(0));
    return true;
  }
  const ListRef body = bodies[rng.Below(bodies.size())];
  return static_cast<const ListMutator&>(PickMutator(rng, &MutatorRow::inBody).mutator)
      .MutateList(program, body, rng);
}

// Programs past this many ops (bodies included) mostly shrink: libFuzzer turns its
// -len_control off for custom mutators, and big programs run slowly (gc and the
// checker's reachability grow with the heap) without reaching more.
constexpr int kSoftOps = 24;

// libprotobuf-mutator's Mutate on the structure: 1-3 edits, each by a mutator picked
// by weight; one that cannot apply is picked again, three times, then an insertion.
std::vector<Mutation> Mutate(Program& program, Rng& rng) {
  std::vector<Mutation> done;
  const std::size_t edits = 1 + rng.Below(3);
  for (std::size_t e = 0; e < edits; ++e) {
    int MutatorRow::*column = OpCount(program) > kSoftOps ? &MutatorRow::whenBig : &MutatorRow::weight;
    const MutatorRow* row = &PickMutator(rng, column);
    for (int tries = 0; !(row->mutator.CanMutate(program) && row->mutator.Mutate(program, rng)); ++tries) {
      row = tries < 3 ? &PickMutator(rng, column) : &kMutators[static_cast<std::size_t>(Mutation::InsertOp)];
    }
    done.push_back(row->mutation);
  }
  return done;
}

std::size_t EncodedSize(const Op& op) { return EncodeProgram(Program{.ops = {op}}).size() - 1; }

// The program's encoding, at most maxSize bytes: a program too big loses a few ops at
// random, then ops from its end, and with no op left its budget.
std::vector<std::uint8_t> Fit(Program& program, std::size_t maxSize, Rng& rng) {
  if (maxSize == 0) return {};
  std::vector<std::uint8_t> bytes = EncodeProgram(program);
  if (bytes.size() <= maxSize) return bytes;
  std::vector<std::size_t> sizes;
  for (const Op& op : program.ops) sizes.push_back(EncodedSize(op));
  std::size_t total = bytes.size();
  for (int i = 0; i < 3 && total > maxSize && !program.ops.empty(); ++i) {
    const auto k = static_cast<std::ptrdiff_t>(rng.Below(program.ops.size()));
    total -= sizes[static_cast<std::size_t>(k)];
    sizes.erase(sizes.begin() + k);
    program.ops.erase(program.ops.begin() + k);
  }
  while (total > maxSize && !program.ops.empty()) {
    total -= sizes.back();
    sizes.pop_back();
    program.ops.pop_back();
  }
  if (total > maxSize) program.callbackBudget = kDefaultCallbackBudget;  // a one-byte header
  return EncodeProgram(program);  // total bytes, the header at least: maxSize >= 1
}

// libprotobuf-mutator's Fix: Fit, then made canonical: what the decoder makes of the
// edited program (handles redirected, misplaced ops dropped), which never encodes
// longer. So the corpus holds the programs that run, and the next mutation sees them
// as they are.
std::vector<std::uint8_t> Fix(Program& program, std::size_t maxSize, Rng& rng) {
  return EncodeProgram(DecodeProgram(Fit(program, maxSize, rng)));
}

std::size_t Store(const std::vector<std::uint8_t>& bytes, std::uint8_t* out) {
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

// The byte mutator on top-level op i's bytes, between the others' unchanged bytes.
std::optional<std::vector<std::uint8_t>> MutateOpBytes(const Program& program, std::size_t maxSize,
                                                       Rng& rng, ByteMutator byteMutator) {
  if (program.ops.empty()) return std::nullopt;
  const auto i = static_cast<std::ptrdiff_t>(rng.Below(program.ops.size()));
  const auto begin = program.ops.begin();
  std::vector<std::uint8_t> prefix =
      EncodeProgram(Program{.profile = program.profile,
                            .callbackBudget = program.callbackBudget,
                            .ops = {begin, begin + i}});
  std::vector<std::uint8_t> op = EncodeProgram(Program{.ops = {begin[i]}});
  const std::vector<std::uint8_t> suffix =
      EncodeProgram(Program{.ops = {begin + i + 1, program.ops.end()}});
  op.erase(op.begin());  // the header
  const std::size_t fixed = prefix.size() + suffix.size() - 1;
  if (fixed + op.size() > maxSize) return std::nullopt;
  const std::size_t room = maxSize - fixed;
  const std::size_t size = op.size();
  op.resize(room);
  const std::size_t mutated = std::min(byteMutator(op.data(), size, room), room);
  prefix.insert(prefix.end(), op.begin(), op.begin() + static_cast<std::ptrdiff_t>(mutated));
  prefix.insert(prefix.end(), suffix.begin() + 1, suffix.end());
  return prefix;
}

// libprotobuf-mutator's CrossOver on the structure: a prefix of a and a suffix of b,
// a run of b's ops inserted into a, or one of b's op lists as the body of one of a's
// registries.
Program CrossOver(Program a, Program b, Rng& rng) {
  Program child{.profile = rng.OneIn(4) ? b.profile : a.profile,
                .callbackBudget = rng.OneIn(4) ? b.callbackBudget : a.callbackBudget};
  const auto slice = [](const std::vector<Op>& ops, std::size_t from, std::size_t to) {
    return std::vector<Op>(ops.begin() + static_cast<std::ptrdiff_t>(from),
                           ops.begin() + static_cast<std::ptrdiff_t>(to));
  };
  const std::size_t i = rng.Below(a.ops.size() + 1);
  const std::size_t j = rng.Below(b.ops.size() + 1);
  switch (rng.Below(3)) {
    case 0:  // a's beginning, b's end
      child.ops = slice(a.ops, 0, i);
      for (Op& op : slice(b.ops, j, b.ops.size())) child.ops.push_back(std::move(op));
      break;
    case 1: {  // a run of b's ops (8 at most) inserted into a
      const std::size_t k = j + rng.Below(std::min<std::size_t>(b.ops.size() - j, 8) + 1);
      child.ops = slice(a.ops, 0, i);
      for (Op& op : slice(b.ops, j, k)) child.ops.push_back(std::move(op));
      for (Op& op : slice(a.ops, i, a.ops.size())) child.ops.push_back(std::move(op));
      break;
    }
    default: {  // one of b's op lists as the body of one of a's registries
      child.ops = std::move(a.ops);
      std::vector<std::pair<ListRef, std::size_t>> registries;
      for (const ListRef& list : Lists(child)) {
        for (std::size_t r = 0; r < list.ops->size(); ++r) {
          if (HasBody((*list.ops)[r], list.depth)) registries.emplace_back(list, r);
        }
      }
      const std::vector<ListRef> donors = Lists(b);
      if (registries.empty()) {
        child.ops.insert(child.ops.begin() + static_cast<std::ptrdiff_t>(std::min(i, child.ops.size())),
                         b.ops.begin(), b.ops.end());
        break;
      }
      const auto [list, r] = registries[rng.Below(registries.size())];
      Op& registry = (*list.ops)[r];
      registry.body.clear();
      for (const Op& op : *donors[rng.Below(donors.size())].ops) {
        if (!AllowedAt(op.kind, list.depth + 1)) continue;
        registry.body.push_back(op);
        FitToDepth(registry.body.back(), list.depth + 1);
      }
      break;
    }
  }
  return child;
}

}  // namespace

Program MutateStructure(const Program& program, Mutation mutation, unsigned seed) {
  Rng rng(seed);
  Program mutated = program;
  const auto row = static_cast<std::size_t>(mutation);
  if (row >= kMutators.size()) return mutated;  // the byte-level ones: not on a Program
  const Mutator& mutator = kMutators[row].mutator;
  if (mutator.CanMutate(mutated)) mutator.Mutate(mutated, rng);
  return mutated;
}

std::size_t MutateProgram(std::uint8_t* data, std::size_t size, std::size_t maxSize,
                          unsigned seed, ByteMutator byteMutator,
                          std::vector<Mutation>* applied) {
  Rng rng(seed);
  if (applied != nullptr) applied->clear();
  if (maxSize == 0) return 0;
  // Byte-level now and then: literal values, varints and counts the generator never
  // makes, and the inputs libFuzzer's own mutations would try.
  if (byteMutator != nullptr && size > 0 && rng.OneIn(kByteAllOneIn)) {
    if (applied != nullptr) applied->push_back(Mutation::ByteAll);
    return std::min(byteMutator(data, std::min(size, maxSize), maxSize), maxSize);
  }
  const Program program = DecodeProgram({data, size});
  if (byteMutator != nullptr && rng.OneIn(kByteOpOneIn)) {
    if (std::optional<std::vector<std::uint8_t>> bytes =
            MutateOpBytes(program, maxSize, rng, byteMutator)) {
      if (applied != nullptr) applied->push_back(Mutation::ByteOp);
      return Store(*bytes, data);
    }
  }
  const std::span<const std::uint8_t> original(data, size);
  std::vector<std::uint8_t> bytes;
  std::vector<Mutation> done;
  for (int attempt = 0; attempt < 4; ++attempt) {
    Program mutated = program;
    done = Mutate(mutated, rng);
    bytes = Fix(mutated, maxSize, rng);
    if (!std::equal(bytes.begin(), bytes.end(), original.begin(), original.end())) break;
  }
  if (applied != nullptr) *applied = done;
  return Store(bytes, data);
}

std::size_t CrossOver(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                      std::size_t size2, std::uint8_t* out, std::size_t maxOutSize,
                      unsigned seed) {
  Rng rng(seed);
  Program child = CrossOver(DecodeProgram({data1, size1}), DecodeProgram({data2, size2}), rng);
  return Store(Fix(child, maxOutSize, rng), out);
}

}  // namespace finrig::gen
