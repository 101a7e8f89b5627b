#include "props/generators.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "gen/scenarios.h"
#include "gen/weights.h"
#include "model/binary.h"
#include "model/text.h"

namespace finrig {

void showValue(const Program& program, std::ostream& os) { os << "\n" << PrintProgram(program); }

namespace props {
namespace {

namespace gen = rc::gen;

// The literal kinds and values of gen/weights.h, which the mutator uses too.
rc::Gen<Value> GenLiteral() {
  using finrig::gen::kLiteralWeights;
  using finrig::gen::LiteralChoice;
  const auto weight = [](LiteralChoice choice) {
    return static_cast<std::size_t>(kLiteralWeights[static_cast<std::size_t>(choice)]);
  };
  const auto of = []<class T>(const auto& values) {
    return gen::map(gen::elementOf(values), [](auto v) { return Value{T{std::string(v)}}; });
  };
  return gen::weightedOneOf<Value>({
      {weight(LiteralChoice::Undefined), gen::just(Value{Undefined{}})},
      {weight(LiteralChoice::Null), gen::just(Value{Null{}})},
      {weight(LiteralChoice::Boolean), gen::map(gen::arbitrary<bool>(), [](bool b) { return Value{b}; })},
      {weight(LiteralChoice::Number),
       gen::map(gen::elementOf(finrig::gen::kNumbers), [](double d) { return Value{d}; })},
      {weight(LiteralChoice::String), of.operator()<String>(finrig::gen::kStrings)},
      {weight(LiteralChoice::BigInt), of.operator()<BigInt>(finrig::gen::kBigInts)},
      {weight(LiteralChoice::RegisteredSymbol),
       of.operator()<RegisteredSymbol>(finrig::gen::kRegisteredKeys)},
      {weight(LiteralChoice::WellKnownSymbol),
       of.operator()<WellKnownSymbol>(finrig::gen::kWellKnownNames)},
  });
}

// Swarm testing (Groce et al., 2012): each program leaves some op kinds out, so that
// the others occur more densely than one fixed mix of weights would have them (a
// program without links or assignments keeps its targets unreachable; one without
// turns piles cells up). Bit i set: OpChoice i left out. Scenarios are never left out.
using Swarm = std::uint32_t;
static_assert(finrig::gen::kOpWeights.size() <= 32, "a Swarm has a bit per OpChoice");

rc::Gen<Swarm> GenSwarm() {
  // One op kind in four left out; shrinks towards none (index 0 of weightedOneOf).
  const auto leftOut = gen::weightedOneOf<bool>({{3, gen::just(false)}, {1, gen::just(true)}});
  return gen::map(gen::container<std::vector<bool>>(finrig::gen::kOpWeights.size(), leftOut),
                  [](const std::vector<bool>& out) {
                    Swarm swarm = 0;
                    for (std::size_t i = 0; i < out.size(); ++i) {
                      if (out[i] && finrig::gen::OpChoice(i) != finrig::gen::OpChoice::Scenario) {
                        swarm |= Swarm{1} << i;
                      }
                    }
                    return swarm;
                  });
}

class OpGen {
 public:
  explicit OpGen(GenOptions options, Swarm swarm = 0) : options_(options), swarm_(swarm) {}

  // Handles have roles, so that registrations meet registries and targets, and derefs
  // meet WeakRefs, more often than chance would have them: the first two handles
  // usually hold registries, the last a WeakRef, the rest objects. A role is a habit,
  // not a rule (one handle in six is any handle).
  // WeakRefs and WeakMaps/WeakSets (Weak) share the last handle.
  enum class Role { Registry, Object, WeakRef, Weak };

  rc::Gen<Handle> GenHandle(Role role) const {
    const int first = options_.firstHandle, count = options_.handleCount;
    const int objects = count - kRegistryHandles - 1;
    const int roleFirst = role == Role::Registry ? first
                          : role == Role::Object ? first + kRegistryHandles
                                                 : first + count - 1;
    const int roleCount = role == Role::Registry ? kRegistryHandles
                          : role == Role::Object ? objects
                                                 : 1;
    const auto pick = [](int base, int n) {
      return gen::map(gen::inRange(0, n), [base](int i) { return static_cast<Handle>(base + i); });
    };
    return gen::weightedOneOf<Handle>({{5, pick(roleFirst, roleCount)}, {1, pick(first, count)}});
  }

  // Mostly handles, so that the same values meet in many positions.
  rc::Gen<Operand> GenOperand(bool inBody, Role role = Role::Object) const {
    std::vector<std::pair<std::size_t, rc::Gen<Operand>>> choices;
    choices.emplace_back(16, gen::map(GenHandle(role), [](Handle h) { return Operand{HandleRef{h}}; }));
    if (inBody) choices.emplace_back(4, gen::just(Operand{HeldRef{}}));
    if (options_.literals) {
      choices.emplace_back(2, gen::map(GenLiteral(), [](Value v) { return Operand{std::move(v)}; }));
    }
    return WeightedOneOf(std::move(choices));
  }

  // Half strings, half any operand: an object heldValue is often the target itself
  // (a TypeError) or keeps another target alive; strings show delivery plainly.
  rc::Gen<Operand> GenHeldValue(bool inBody) const {
    return gen::weightedOneOf<Operand>({
        {1, gen::map(gen::elementOf(finrig::gen::kHeldStrings),
                     [](std::string_view s) { return Operand{Value{String{std::string(s)}}}; })},
        {1, GenOperand(inBody)},
    });
  }

  // Programs often end by collecting everything and letting cleanup run, the way a
  // test of finalization does.
  static rc::Gen<std::vector<Op>> GenFinale() {
    return gen::map(gen::maybe(gen::just(true)), [](rc::Maybe<bool> finale) {
      return finale ? std::vector<Op>{Op{.kind = OpKind::Gc}, Op{.kind = OpKind::Turn}}
                    : std::vector<Op>{};
    });
  }

  // The program starts by filling its handles: registries, objects, a WeakRef to the
  // first object. Each fill can shrink away.
  rc::Gen<std::vector<Op>> GenPrologue() const {
    rc::Gen<std::vector<Op>> prologue = gen::just(std::vector<Op>{});
    for (int i = 0; i < options_.handleCount; ++i) {
      const Handle h = static_cast<Handle>(options_.firstHandle + i);
      const Handle firstObject = static_cast<Handle>(options_.firstHandle + kRegistryHandles);
      const rc::Gen<Op> fill =
          i < kRegistryHandles ? GenRegistry(0, h)
          : i + 1 < options_.handleCount
              ? gen::just(WithDest(OpKind::NewObject, h))
              : gen::just(WithDest(OpKind::NewWeakRef, h, {HandleRef{firstObject}}));
      prologue = gen::apply(
          [](std::vector<Op> ops, rc::Maybe<Op> op) {
            if (op) ops.push_back(std::move(*op));
            return ops;
          },
          prologue, gen::maybe(fill));
    }
    return prologue;
  }

  // An op, its kind drawn by the weights of gen/weights.h (the mutator's too); never a
  // scenario, which is several ops.
  rc::Gen<Op> GenOp(int depth) const {
    std::vector<std::pair<std::size_t, rc::Gen<Op>>> choices;
    for (const finrig::gen::OpWeight& row : finrig::gen::kOpWeights) {
      const int weight = finrig::gen::WeightAt(row.choice, depth);
      if (weight > 0 && Enabled(row.choice) && row.choice != finrig::gen::OpChoice::Scenario) {
        choices.emplace_back(static_cast<std::size_t>(weight), GenChoice(row.choice, depth));
      }
    }
    // The swarm may leave out every kind a body could have: then a body of objects.
    if (choices.empty()) choices.emplace_back(1, GenChoice(finrig::gen::OpChoice::Object, depth));
    return WeightedOneOf(std::move(choices));
  }

  // The program's own ops, by the same weights: one op, or a scenario's ops.
  rc::Gen<std::vector<Op>> GenTopLevelOps() const {
    using finrig::gen::OpChoice;
    const auto one = [](Op op) { return std::vector<Op>{std::move(op)}; };
    std::vector<std::pair<std::size_t, rc::Gen<std::vector<Op>>>> choices;
    for (const finrig::gen::OpWeight& row : finrig::gen::kOpWeights) {
      const int weight = finrig::gen::WeightAt(row.choice, 0);
      if (weight <= 0 || !Enabled(row.choice)) continue;
      choices.emplace_back(static_cast<std::size_t>(weight),
                           row.choice == OpChoice::Scenario ? GenScenario()
                                                            : gen::map(GenChoice(row.choice, 0), one));
    }
    return WeightedOneOf(std::move(choices));
  }

 private:
  bool Enabled(finrig::gen::OpChoice choice) const {
    using enum finrig::gen::OpChoice;
    if ((swarm_ >> static_cast<unsigned>(choice) & 1u) != 0) return false;
    if (choice == PartialGc) return options_.partialGc;
    if (choice == TurnOptions) return options_.turnOptions;
    if (choice == Scenario) return options_.scenarios;
    return true;
  }

  // One of gen/scenarios.h, on this program's handles; a counterexample's scenario
  // shrinks by losing ops, as the program's own ops do.
  rc::Gen<std::vector<Op>> GenScenario() const {
    return gen::shrink(GenWholeScenario(), [](std::vector<Op> ops) {
      return rc::shrink::removeChunks(std::move(ops));
    });
  }

  rc::Gen<std::vector<Op>> GenWholeScenario() const {
    std::vector<std::pair<std::size_t, std::size_t>> weights;
    for (std::size_t i = 0; i < finrig::gen::kScenarioWeights.size(); ++i) {
      const std::vector<Op> plain = finrig::gen::MakeScenario({.scenario = finrig::gen::Scenario(i)});
      const bool hasBody = std::ranges::any_of(plain, [](const Op& op) { return !op.body.empty(); });
      if (hasBody && !options_.bodies) continue;
      weights.emplace_back(static_cast<std::size_t>(finrig::gen::kScenarioWeights[i]), i);
    }
    const int first = options_.firstHandle, count = options_.handleCount;
    return gen::apply(
        [first, count](std::size_t scenario, int shift, std::uint32_t variation) {
          return finrig::gen::MakeScenario({.scenario = static_cast<finrig::gen::Scenario>(scenario),
                                            .first = first,
                                            .count = count,
                                            .shift = shift,
                                            .variation = variation});
        },
        WeightedIndex(std::move(weights)), gen::inRange(0, count),
        gen::inRange<std::uint32_t>(0, finrig::gen::kScenarioVariations));
  }

  rc::Gen<Op> GenChoice(finrig::gen::OpChoice choice, int depth) const {
    const bool inBody = depth > 0;
    switch (choice) {
      case finrig::gen::OpChoice::Object:
        return gen::map(GenHandle(Role::Object), [](Handle h) { return WithDest(OpKind::NewObject, h); });
      case finrig::gen::OpChoice::Symbol:
        return gen::apply(
            [](Handle h, bool described) {
              Op op = WithDest(OpKind::NewSymbol, h);
              if (described) op.description = finrig::gen::kSymbolDescription;
              return op;
            },
            GenHandle(Role::Object), gen::arbitrary<bool>());
      case finrig::gen::OpChoice::Assign:
        return gen::apply([](Handle h, Operand v) { return WithDest(OpKind::Assign, h, {v}); },
                          GenHandle(Role::Object), GenOperand(inBody));
      case finrig::gen::OpChoice::Registry:
        return gen::mapcat(GenHandle(Role::Registry),
                           [self = *this, depth](Handle h) { return self.GenRegistry(depth, h); });
      case finrig::gen::OpChoice::CapturingRegistry: {
        // Mostly the objects: a captured target is the leak.
        const auto captures = gen::mapcat(
            gen::inRange<std::size_t>(1, finrig::gen::kMaxCaptures + 1),
            [self = *this, inBody](std::size_t n) {
              return gen::container<std::vector<Operand>>(n, self.GenOperand(inBody));
            });
        return gen::apply(
            [](Op op, std::vector<Operand> captured) {
              op.args = std::move(captured);
              return op;
            },
            GenChoice(finrig::gen::OpChoice::Registry, depth), captures);
      }
      case finrig::gen::OpChoice::AsyncRegistry:
        // A body that throws, where bodies may be: the throw rejects a promise instead of
        // ending the job.
        return gen::map(GenChoice(finrig::gen::OpChoice::Registry, depth),
                        [bodies = options_.bodies, depth](Op op) {
                          op.registryAsync = true;
                          if (bodies && depth + 1 < kMaxBodyDepth &&
                              (op.body.empty() || op.body.back().kind != OpKind::Throw)) {
                            op.body.push_back(Op{.kind = OpKind::Throw});
                          }
                          return op;
                        });
      case finrig::gen::OpChoice::RegistryChecks:
        return gen::apply(
            [](Op op, RegistryNewTarget newTarget, rc::Maybe<Operand> callback) {
              op.registryNewTarget = newTarget;
              if (callback) {
                op.registryCallbackArg = true;
                op.args = {*callback};
                op.body.clear();
              }
              return op;
            },
            GenChoice(finrig::gen::OpChoice::Registry, depth),
            gen::element(RegistryNewTarget::Constructor, RegistryNewTarget::Undefined,
                         RegistryNewTarget::Throwing),
            gen::maybe(GenOperand(inBody)));
      case finrig::gen::OpChoice::WeakRef:
        return gen::apply([](Handle h, Operand t) { return WithDest(OpKind::NewWeakRef, h, {t}); },
                          GenHandle(Role::WeakRef), GenOperand(inBody));
      case finrig::gen::OpChoice::Deref:
        return gen::apply(
            [](rc::Maybe<Handle> h, Operand w) {
              Op op{.kind = OpKind::Deref, .args = {w}};
              if (h) op.dest = *h;
              return op;
            },
            gen::maybe(GenHandle(Role::Object)), GenOperand(inBody, Role::WeakRef));
      case finrig::gen::OpChoice::Register:
        return gen::apply(
            [](Operand r, Operand t, Operand held, rc::Maybe<Operand> token) {
              Op op{.kind = OpKind::Register, .args = {r, t, held}};
              if (token) op.args.push_back(*token);
              return op;
            },
            GenOperand(inBody, Role::Registry), GenOperand(inBody), GenHeldValue(inBody),
            gen::maybe(GenOperand(inBody)));
      case finrig::gen::OpChoice::Unregister:
        return gen::apply(
            [](Operand r, Operand token) { return Op{.kind = OpKind::Unregister, .args = {r, token}}; },
            GenOperand(inBody, Role::Registry), GenOperand(inBody));
      case finrig::gen::OpChoice::Link:
        return gen::apply([](Operand a, Operand b) { return Op{.kind = OpKind::Link, .args = {a, b}}; },
                          GenOperand(inBody), GenOperand(inBody));
      case finrig::gen::OpChoice::Unlink:
        return gen::apply([](Operand a, Operand b) { return Op{.kind = OpKind::Unlink, .args = {a, b}}; },
                          GenOperand(inBody), GenOperand(inBody));
      case finrig::gen::OpChoice::Then: {
        // Half the time a gc and a deref: what the synchronous run kept alive.
        const Op empty{.kind = OpKind::Then};
        if (!options_.bodies || depth + 1 >= kMaxBodyDepth) return gen::just(empty);
        const OpGen self = *this;
        return gen::weightedOneOf<Op>({
            {1, gen::map(GenOperand(true, Role::WeakRef),
                         [empty](Operand w) {
                           Op op = empty;
                           op.body = {Op{.kind = OpKind::Gc}, Op{.kind = OpKind::Deref, .args = {w}}};
                           return op;
                         })},
            {1, gen::map(gen::resize(3, gen::container<std::vector<Op>>(gen::lazy([self, depth] {
                           return self.GenOp(depth + 1);
                         }))),
                         [empty](std::vector<Op> ops) {
                           Op op = empty;
                           op.body = std::move(ops);
                           return op;
                         })},
        });
      }
      case finrig::gen::OpChoice::WeakCollection:
        return gen::apply(
            [](Handle h, bool set) { return WithDest(set ? OpKind::NewWeakSet : OpKind::NewWeakMap, h); },
            GenHandle(Role::Weak), gen::arbitrary<bool>());
      case finrig::gen::OpChoice::WeakEntry:  // set with a value, add without
        return gen::apply(
            [](Operand collection, Operand key, rc::Maybe<Operand> value) {
              Op op{.kind = value ? OpKind::WeakMapSet : OpKind::WeakSetAdd, .args = {collection, key}};
              if (value) op.args.push_back(*value);
              return op;
            },
            GenOperand(inBody, Role::Weak), GenOperand(inBody), gen::maybe(GenOperand(inBody)));
      case finrig::gen::OpChoice::WeakQuery:
        return gen::apply(
            [](OpKind kind, Operand collection, Operand key, rc::Maybe<Handle> h) {
              Op op{.kind = kind, .args = {collection, key}};
              if (h && kind == OpKind::WeakMapGet) op.dest = *h;
              return op;
            },
            gen::element(OpKind::WeakMapGet, OpKind::WeakHas, OpKind::WeakDelete),
            GenOperand(inBody, Role::Weak), GenOperand(inBody), gen::maybe(GenHandle(Role::Object)));
      case finrig::gen::OpChoice::Drop:
        return gen::map(gen::weightedOneOf<Handle>({{4, GenHandle(Role::Object)},
                                                    {1, GenHandle(Role::Registry)}}),
                        [](Handle h) { return WithDest(OpKind::Drop, h); });
      case finrig::gen::OpChoice::Gc: return gen::just(Op{.kind = OpKind::Gc});
      case finrig::gen::OpChoice::PartialGc: return GenPartialGc();
      case finrig::gen::OpChoice::GcChoices: {
        // Now and then of chosen ids, where partial gcs are generated at all.
        const rc::Gen<Op> gc = options_.partialGc
                                   ? gen::weightedOneOf<Op>({{3, gen::just(Op{.kind = OpKind::Gc})},
                                                             {1, GenPartialGc()}})
                                   : gen::just(Op{.kind = OpKind::Gc});
        return gen::apply(
            [](Op op, JobsEnqueued enqueue, bool weak) {
              op.gcEnqueue = enqueue;
              op.gcHold = weak ? JobHold::Weak : JobHold::Strong;
              return op;
            },
            gc,
            gen::element(JobsEnqueued::OnePerRegistry, JobsEnqueued::None,
                         JobsEnqueued::OnePerValue),
            gen::arbitrary<bool>());
      }
      case finrig::gen::OpChoice::Turn: return gen::just(Op{.kind = OpKind::Turn});
      case finrig::gen::OpChoice::TurnOptions: return GenTurnWithOptions();
      case finrig::gen::OpChoice::Throw:
        return gen::map(gen::maybe(GenOperand(true)), [](rc::Maybe<Operand> v) {
          Op op{.kind = OpKind::Throw};
          if (v) op.args.push_back(*v);
          return op;
        });
      case finrig::gen::OpChoice::Repeat: {
        // 1-3 ops of the program's own, a register's heldValue the iteration (a repeat
        // drawn among them MakeValid drops: repeats do not nest).
        const OpGen self = *this;
        const auto body = gen::resize(3, gen::nonEmpty(gen::container<std::vector<Op>>(
                                             gen::lazy([self] { return self.GenOp(0); }))));
        return gen::apply(
            [](std::uint32_t count, std::vector<Op> ops) {
              for (Op& op : ops) {
                if (op.kind == OpKind::Register) op.args[2] = IterationRef{};
              }
              return Op{.kind = OpKind::Repeat, .body = std::move(ops), .repeatCount = count};
            },
            gen::elementOf(finrig::gen::kRepeatCounts), body);
      }
      case finrig::gen::OpChoice::Scenario: break;  // several ops: GenScenario
    }
    return gen::just(Op{});
  }

  template <class T>
  static rc::Gen<T> WeightedOneOf(std::vector<std::pair<std::size_t, rc::Gen<T>>> choices) {
    // gen::weightedOneOf takes an initializer_list; pick an index by weight instead.
    std::vector<std::pair<std::size_t, std::size_t>> weights;
    for (std::size_t i = 0; i < choices.size(); ++i) weights.emplace_back(choices[i].first, i);
    auto gens = std::make_shared<std::vector<std::pair<std::size_t, rc::Gen<T>>>>(std::move(choices));
    return gen::mapcat(WeightedIndex(std::move(weights)),
                       [gens](std::size_t i) { return (*gens)[i].second; });
  }

  static rc::Gen<std::size_t> WeightedIndex(std::vector<std::pair<std::size_t, std::size_t>> weights) {
    std::size_t total = 0;
    for (const auto& [weight, index] : weights) total += weight;
    // At full size, so the weights hold however small the program (inRange scales).
    return gen::map(gen::resize(100, gen::inRange<std::size_t>(0, total)), [weights](std::size_t pick) {
      for (const auto& [weight, index] : weights) {
        if (pick < weight) return index;
        pick -= weight;
      }
      return weights.back().second;
    });
  }

  static Op WithDest(OpKind kind, Handle h, std::vector<Operand> args = {}) {
    return Op{.kind = kind, .dest = h, .args = std::move(args)};
  }

  rc::Gen<Op> GenRegistry(int depth, Handle h) const {
    const Op plain = WithDest(OpKind::NewRegistry, h);
    if (!options_.bodies || depth + 1 >= kMaxBodyDepth) return gen::just(plain);
    const OpGen self = *this;
    const auto body = gen::resize(4, gen::container<std::vector<Op>>(gen::lazy([self, depth] {
                                    return self.GenOp(depth + 1);
                                  })));
    // A body that ends in `throw` makes every job of the registry end after one call,
    // leaving cells behind: the case invariant 11 is about.
    return gen::weightedOneOf<Op>({
        {2, gen::just(plain)},
        {1, gen::apply(
                [plain](std::vector<Op> ops, bool throws) {
                  Op op = plain;
                  op.body = std::move(ops);
                  if (throws) op.body.push_back(Op{.kind = OpKind::Throw});
                  return op;
                },
                body, gen::arbitrary<bool>())},
    });
  }

  static rc::Gen<Op> GenPartialGc() {
    return gen::map(gen::nonEmpty(gen::container<std::vector<HeapId>>(gen::inRange<HeapId>(0, 16))),
                    [](std::vector<HeapId> ids) {
                      std::sort(ids.begin(), ids.end());
                      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
                      return Op{.kind = OpKind::Gc, .gcOnly = ids};
                    });
  }

  static rc::Gen<Op> GenTurnWithOptions() {
    return gen::apply(
        [](rc::Maybe<std::vector<std::uint32_t>> jobs, bool lifo, rc::Maybe<std::uint32_t> limit,
           bool repost) {
          Op op{.kind = OpKind::Turn};
          if (jobs) op.turnJobs = *jobs;
          op.turnOrder = lifo ? CellOrder::Lifo : CellOrder::Fifo;
          if (limit) op.turnLimit = *limit;
          op.turnRepost = repost;
          return op;
        },
        gen::maybe(gen::resize(3, gen::container<std::vector<std::uint32_t>>(
                                      gen::inRange<std::uint32_t>(0, 3)))),
        gen::arbitrary<bool>(), gen::maybe(gen::inRange<std::uint32_t>(0, 3)),
        gen::arbitrary<bool>());
  }

  static constexpr int kRegistryHandles = 2;
  GenOptions options_;
  Swarm swarm_;
};

}  // namespace

Program MakeValid(const Program& program) { return DecodeProgram(EncodeProgram(program)); }

rc::Gen<Program> GenProgram(GenOptions options) {
  return gen::mapcat(options.swarm ? GenSwarm() : gen::just(Swarm{0}), [options](Swarm swarm) {
    const OpGen ops(options, swarm);
    return gen::apply(
        [](bool es2021, int budget, std::vector<Op> list, std::vector<std::vector<Op>> middle,
           std::vector<Op> finale) {
          for (std::vector<Op>& part : middle) {
            list.insert(list.end(), std::make_move_iterator(part.begin()),
                        std::make_move_iterator(part.end()));
          }
          list.insert(list.end(), std::make_move_iterator(finale.begin()),
                      std::make_move_iterator(finale.end()));
          return MakeValid(Program{.profile = es2021 ? Profile::Es2021 : Profile::Es2023,
                                   .callbackBudget = budget,
                                   .ops = std::move(list)});
        },
        gen::weightedOneOf<bool>({{4, gen::just(false)}, {1, gen::just(true)}}),
        // Now and then a budget a short program's jobs reach (shrinking to the default).
        gen::weightedOneOf<int>({{9, gen::just(kDefaultCallbackBudget)},
                                 {1, gen::inRange(0, finrig::gen::kMaxSmallBudget + 1)}}),
        ops.GenPrologue(), gen::container<std::vector<std::vector<Op>>>(ops.GenTopLevelOps()),
        OpGen::GenFinale());
  });
}

}  // namespace props
}  // namespace finrig
