#include "model/minimize.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "model/binary.h"
#include "model/checker.h"
#include "model/model.h"
#include "model/op_facts.h"

namespace finrig {
namespace {

// Where an op is: its index in the top-level list, then in each enclosing body.
using OpPath = std::vector<std::size_t>;

// The op list a path owns: the top-level list for the empty path, else the body of the
// op at the path; nullptr when the program has no such op.
std::vector<Op>* ListAt(Program& program, const OpPath& owner) {
  std::vector<Op>* list = &program.ops;
  for (std::size_t index : owner) {
    if (index >= list->size()) return nullptr;
    list = &(*list)[index].body;
  }
  return list;
}

Op* OpAt(Program& program, const OpPath& path) {
  std::vector<Op>* list = ListAt(program, OpPath(path.begin(), path.end() - 1));
  if (list == nullptr || path.back() >= list->size()) return nullptr;
  return &(*list)[path.back()];
}

// A candidate in its valid form, with its encoding as a key: the binary form of a
// valid program is canonical, so equal keys mean equal programs.
struct Candidate {
  explicit Candidate(const Program& raw) : program(DecodeProgram(EncodeProgram(raw))) {
    const std::vector<std::uint8_t> bytes = EncodeProgram(program);
    key.assign(bytes.begin(), bytes.end());
  }
  Program program;
  std::string key;
};

// --- simplifications: each lists plainer variants of one op, most aggressive first ---
//
// Every variant is strictly simpler than its op in a well-founded sense (a part
// removed, an operand lower on the ladder handle/literal > simpler literal >
// undefined), and making a candidate valid never adds anything back: it only
// redirects handle uses, turns `held` into undefined or skips ops. So repeating the
// passes terminates even without the check budget.
using Simplification = std::vector<Op> (*)(const Op&);

// A registry's callback operand (for the program's function) or NewTarget, its
// callback's being async, a register's token, a registry's captures, a deref's result handle, a throw's operand
// (so it always throws), a symbol's description. (A registry's body is ddmin's: it
// tries an empty list first.)
std::vector<Op> WithoutOptionalParts(const Op& op) {
  const OpFacts& facts = FactsOf(op.kind);
  Op plainer = op;
  if (op.registryCallbackArg) {
    plainer.registryCallbackArg = false;
    plainer.args.clear();
  } else if (op.registryNewTarget != RegistryNewTarget::Constructor) {
    plainer.registryNewTarget = RegistryNewTarget::Constructor;
  } else if (op.registryAsync) {
    plainer.registryAsync = false;
  } else if (op.args.size() > facts.minArgs) {
    plainer.args.resize(facts.minArgs);
  } else if (facts.dest == DestUse::MayAssign && op.dest) {
    plainer.dest.reset();
  } else if (facts.payload == Payload::Description && op.description) {
    plainer.description.reset();
  } else {
    return {};
  }
  return {std::move(plainer)};
}

// A plain `turn` runs every pending job, fifo, to the end; failing that, fewer chosen
// jobs.
std::vector<Op> PlainerTurns(const Op& op) {
  if (op.kind != OpKind::Turn) return {};
  std::vector<Op> variants;
  if (op.turnJobs) {
    Op allJobs = op;
    allJobs.turnJobs.reset();
    variants.push_back(std::move(allJobs));
    for (std::size_t i = 0; i < op.turnJobs->size(); ++i) {
      Op fewerJobs = op;
      fewerJobs.turnJobs->erase(fewerJobs.turnJobs->begin() + static_cast<std::ptrdiff_t>(i));
      variants.push_back(std::move(fewerJobs));
    }
  }
  if (op.turnOrder == CellOrder::Lifo) {
    Op fifo = op;
    fifo.turnOrder = CellOrder::Fifo;
    variants.push_back(std::move(fifo));
  }
  if (op.turnLimit) {
    Op unlimited = op;
    unlimited.turnLimit.reset();
    variants.push_back(std::move(unlimited));
  }
  if (op.turnRepost) {
    Op noRepost = op;
    noRepost.turnRepost = false;
    variants.push_back(std::move(noRepost));
  }
  return variants;
}

// A plain `gc`: a full one (heap ids shift as ops go; failing that, fewer of them),
// enqueueing one job per registry that holds it.
std::vector<Op> PlainerGcs(const Op& op) {
  if (op.kind != OpKind::Gc) return {};
  std::vector<Op> variants;
  if (op.gcEnqueue != JobsEnqueued::OnePerRegistry) {
    Op oneJob = op;
    oneJob.gcEnqueue = JobsEnqueued::OnePerRegistry;
    variants.push_back(std::move(oneJob));
  }
  if (op.gcHold != JobHold::Strong) {
    Op holds = op;
    holds.gcHold = JobHold::Strong;
    variants.push_back(std::move(holds));
  }
  if (op.gcOnly.empty()) return variants;
  Op full = op;
  full.gcOnly.clear();
  variants.push_back(std::move(full));
  if (op.gcOnly.size() > 1) {
    for (std::size_t i = 0; i < op.gcOnly.size(); ++i) {
      Op fewer = op;
      fewer.gcOnly.erase(fewer.gcOnly.begin() + static_cast<std::ptrdiff_t>(i));
      variants.push_back(std::move(fewer));
    }
  }
  return variants;
}

bool IsUndefined(const Operand& operand) {
  const Value* value = std::get_if<Value>(&operand);
  return value != nullptr && std::holds_alternative<Undefined>(*value);
}

// The plainest literal of the same type, when the value is not already it: "", 0, 0n,
// Symbol.for(""). Kept when undefined would lose the failure but the value's type
// matters (a string heldValue, a registered symbol as target).
std::optional<Value> SimplerLiteral(const Operand& operand) {
  const Value* value = std::get_if<Value>(&operand);
  if (value == nullptr) return std::nullopt;
  if (const auto* s = std::get_if<String>(value); s != nullptr && !s->bytes.empty()) {
    return String{};
  }
  if (const auto* d = std::get_if<double>(value); d != nullptr && !(*d == 0 && !std::signbit(*d))) {
    return 0.0;
  }
  if (const auto* b = std::get_if<BigInt>(value); b != nullptr && b->decimal != "0") {
    return BigInt{"0"};
  }
  if (const auto* r = std::get_if<RegisteredSymbol>(value); r != nullptr && !r->key.empty()) {
    return RegisteredSymbol{};
  }
  return std::nullopt;
}

// Each operand as undefined (so the op no longer needs the handle or value), else as
// a simpler literal.
std::vector<Op> SimplerOperands(const Op& op) {
  std::vector<Op> variants;
  for (std::size_t i = 0; i < op.args.size(); ++i) {
    if (IsUndefined(op.args[i])) continue;
    Op undefinedArg = op;
    undefinedArg.args[i] = Value{Undefined{}};
    variants.push_back(std::move(undefinedArg));
    if (std::optional<Value> simpler = SimplerLiteral(op.args[i])) {
      Op simplerArg = op;
      simplerArg.args[i] = std::move(*simpler);
      variants.push_back(std::move(simplerArg));
    }
  }
  return variants;
}

// A repeat that runs once; failing that, half as many times.
std::vector<Op> FewerIterations(const Op& op) {
  if (op.kind != OpKind::Repeat || op.repeatCount == 1) return {};
  Op once = op;
  once.repeatCount = 1;
  std::vector<Op> variants = {std::move(once)};
  if (op.repeatCount / 2 > 1) {
    Op half = op;
    half.repeatCount = op.repeatCount / 2;
    variants.push_back(std::move(half));
  }
  return variants;
}

constexpr std::array<Simplification, 5> kSimplifications = {
    &WithoutOptionalParts, &PlainerTurns, &PlainerGcs, &SimplerOperands, &FewerIterations};

// Handle renaming: h0, h1, ... in the order the program first assigns them. Handles
// only name roots, so the program does the same, and one found by fuzzing or padded
// with unrelated ops reads like one written by hand. Renaming a renamed program
// changes nothing, so this cannot undo or cycle with the passes above.
using HandleMap = std::array<std::optional<Handle>, kHandleCount>;

void NumberAssignments(const std::vector<Op>& ops, HandleMap& map, int& next) {
  for (const Op& op : ops) {
    if (op.dest && op.kind != OpKind::Drop && !map[*op.dest]) {
      map[*op.dest] = static_cast<Handle>(next++);
    }
    NumberAssignments(op.body, map, next);
  }
}

// A valid program uses only handles assigned before, so every use is in the map.
void Rename(std::vector<Op>& ops, const HandleMap& map) {
  for (Op& op : ops) {
    if (op.dest) op.dest = map[*op.dest];
    for (Operand& arg : op.args) {
      if (auto* ref = std::get_if<HandleRef>(&arg)) ref->handle = *map[ref->handle];
    }
    Rename(op.body, map);
  }
}

Program WithHandlesInOrder(const Program& program) {
  HandleMap map;
  int next = 0;
  NumberAssignments(program.ops, map, next);
  Program renamed = program;
  Rename(renamed.ops, map);
  return renamed;
}

class Minimizer {
 public:
  Minimizer(const FailurePredicate& stillFails, int maxChecks)
      : stillFails_(stillFails), maxChecks_(maxChecks) {}

  std::optional<MinimizeResult> Run(const Program& failing) {
    Candidate start(failing);
    ++checks_;  // outside the budget: without it there is nothing to minimize
    if (!stillFails_(start.program)) return std::nullopt;
    verdicts_.emplace(start.key, true);
    current_ = std::move(start.program);
    currentKey_ = std::move(start.key);
    // Removing ops enables simplifications and the other way round (an operand made
    // undefined frees the op that assigned its handle), so repeat until neither helps.
    std::string before;
    do {
      before = currentKey_;
      ReduceOpLists();
      for (Simplification simplify : kSimplifications) Simplify(simplify);
      UnrollShortRepeats();
      Accept(WithHandlesInOrder(current_));
    } while (currentKey_ != before && !exhausted_);
    return MinimizeResult{.program = current_, .checks = checks_, .complete = !exhausted_};
  }

 private:
  // The predicate on a candidate's valid form. Verdicts are remembered: later rounds
  // and ddmin meet the same candidates again. Past the budget, unknown candidates
  // count as passing, which makes every pass keep what it has.
  bool Fails(const Candidate& candidate) {
    if (auto known = verdicts_.find(candidate.key); known != verdicts_.end()) return known->second;
    if (checks_ >= maxChecks_) {
      exhausted_ = true;
      return false;
    }
    ++checks_;
    const bool fails = stillFails_(candidate.program);
    verdicts_.emplace(candidate.key, fails);
    return fails;
  }

  // Makes the valid form of `raw` the current program if it differs and still fails.
  bool Accept(const Program& raw) {
    Candidate candidate(raw);
    if (candidate.key == currentKey_ || !Fails(candidate)) return false;
    current_ = std::move(candidate.program);
    currentKey_ = std::move(candidate.key);
    return true;
  }

  // Calls visit(path) for each op of the current program, in pre-order. A visit may
  // change the program; the walk goes on from the same position in the changed one
  // (into the op's body as the visit left it).
  template <typename Visit>
  void WalkOps(OpPath& owner, const Visit& visit) {
    for (std::size_t i = 0;; ++i) {
      const std::vector<Op>* list = ListAt(current_, owner);
      if (list == nullptr || i >= list->size()) return;
      owner.push_back(i);
      visit(owner);
      WalkOps(owner, visit);
      owner.pop_back();
    }
  }

  // ddmin over the top-level ops, then over each body, outer bodies first (removing
  // the registry that owns a body is the top-level pass's job).
  void ReduceOpLists() {
    OpPath owner;
    ReduceOpList(owner);
    WalkOps(owner, [&](const OpPath& path) {
      if (!OpAt(current_, path)->body.empty()) ReduceOpList(path);
    });
  }

  void ReduceOpList(const OpPath& owner) {
    const std::vector<Op> ops = *ListAt(current_, owner);
    std::vector<Op> kept = Ddmin<Op>(ops, [&](const std::vector<Op>& subset) {
      Program candidate = current_;
      *ListAt(candidate, owner) = subset;
      return Fails(Candidate(candidate));
    });
    if (kept.size() == ops.size()) return;
    Program reduced = current_;
    *ListAt(reduced, owner) = std::move(kept);
    Accept(reduced);
  }

  // A repeat that runs a few times (FewerIterations brings it there when it can) is its
  // ops that many times, each with its `i`: written out, ddmin can drop what one
  // iteration does not need, so a bug first met in a loop minimizes to the program (and
  // the signature) of one met without. Repeats stand only at the top level, and `i`
  // only directly in their bodies.
  void UnrollShortRepeats() {
    static constexpr std::uint32_t kUnrollAtMost = 4;
    for (std::size_t i = 0; i < current_.ops.size(); ++i) {
      const Op& repeat = current_.ops[i];
      if (repeat.kind != OpKind::Repeat || repeat.repeatCount > kUnrollAtMost) continue;
      std::vector<Op> unrolled;
      for (std::uint32_t iteration = 0; iteration < repeat.repeatCount; ++iteration) {
        for (Op op : repeat.body) {
          for (Operand& arg : op.args) {
            if (std::holds_alternative<IterationRef>(arg)) arg = Value{static_cast<double>(iteration)};
          }
          unrolled.push_back(std::move(op));
        }
      }
      Program candidate = current_;
      const auto at = candidate.ops.erase(candidate.ops.begin() + static_cast<std::ptrdiff_t>(i));
      candidate.ops.insert(at, std::make_move_iterator(unrolled.begin()),
                           std::make_move_iterator(unrolled.end()));
      Accept(candidate);
    }
  }

  // Tries each op's plainer variants in order, taking the first that still fails and
  // then trying again on the result, until none does.
  void Simplify(Simplification simplify) {
    OpPath owner;
    WalkOps(owner, [&](const OpPath& path) {
      bool changed = true;
      while (changed) {
        changed = false;
        const Op* op = OpAt(current_, path);
        if (op == nullptr) return;  // making a variant valid skipped ops before it
        for (Op& variant : simplify(*op)) {
          Program candidate = current_;
          *OpAt(candidate, path) = std::move(variant);
          if (Accept(candidate)) {
            changed = true;
            break;
          }
        }
      }
    });
  }

  const FailurePredicate& stillFails_;
  const int maxChecks_;
  int checks_ = 0;
  bool exhausted_ = false;
  Program current_;
  std::string currentKey_;
  std::unordered_map<std::string, bool> verdicts_;
};

}  // namespace

std::optional<MinimizeResult> Minimize(const Program& failing,
                                       const FailurePredicate& stillFails,
                                       const MinimizeOptions& options) {
  return Minimizer(stillFails, options.maxChecks).Run(failing);
}

std::optional<FailureTarget> TargetOf(const Program& failing, FaultSet faults,
                                      Profile profile) {
  const Trace trace = RunProgram(failing, faults, profile);
  std::set<Invariant> invariants;
  bool mismatch = false;
  for (const Violation& v :
       CheckTrace(failing, trace, CheckOptions{.profile = profile, .strict = true})) {
    if (IsNumbered(v.invariant)) invariants.insert(v.invariant);
    mismatch = mismatch || v.invariant == Invariant::TraceMismatch;
  }
  if (invariants.empty() && mismatch) invariants.insert(Invariant::TraceMismatch);
  if (invariants.empty()) return std::nullopt;
  return FailureTarget{.invariants = {invariants.begin(), invariants.end()},
                       .faults = faults,
                       .profile = profile};
}

FailurePredicate StillViolates(FailureTarget target) {
  if (target.invariants.empty()) return [](const Program&) { return false; };
  std::sort(target.invariants.begin(), target.invariants.end());  // for std::includes
  return [target = std::move(target)](const Program& candidate) {
    const Trace trace = RunProgram(candidate, target.faults, target.profile);
    std::set<Invariant> violated;
    for (const Violation& v : CheckTrace(candidate, trace,
                                         CheckOptions{.profile = target.profile, .strict = true})) {
      violated.insert(v.invariant);
    }
    return std::includes(violated.begin(), violated.end(), target.invariants.begin(),
                         target.invariants.end());
  };
}

}  // namespace finrig
