#include "gen/scenarios.h"

#include <string>

namespace finrig::gen {

std::string_view ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::UnregisterAfterDeath: return "unregister-after-death";
    case Scenario::SharedToken: return "shared-token";
    case Scenario::ThrowLeavesCells: return "throw-leaves-cells";
    case Scenario::WeakRefAcrossTurn: return "weakref-across-turn";
    case Scenario::RegistryDiesWithJob: return "registry-dies-with-job";
    case Scenario::CallbackReenters: return "callback-reenters";
    case Scenario::CallbackCapturesTarget: return "callback-captures-target";
    case Scenario::LinkKeepsTarget: return "link-keeps-target";
    case Scenario::CellKeepsHeldValue: return "cell-keeps-held-value";
    case Scenario::KeptAliveBeforeTurn: return "kept-alive-before-turn";
    case Scenario::RegisteredSymbolTarget: return "registered-symbol-target";
    case Scenario::ManyCells: return "many-cells";
    case Scenario::AsyncThrowGoesOn: return "async-throw-goes-on";
    case Scenario::EntryKeepsValue: return "entry-keeps-value";
    case Scenario::KeptAliveThroughCheckpoint: return "kept-alive-through-checkpoint";
  }
  return "?";
}

namespace {

// The ops of one scenario, written as the .fr text would read.
class Ops {
 public:
  explicit Ops(const ScenarioDraw& draw) : draw_(draw) {}

  Handle Slot(int i) const {
    const int count = draw_.count > 0 ? draw_.count : 1;
    return static_cast<Handle>(draw_.first + (draw_.shift + i) % count);
  }
  bool Variant(int bit) const { return (draw_.variation >> bit & 1u) != 0; }

  static Operand H(Handle h) { return HandleRef{h}; }
  static Operand S(std::string_view s) { return Value{String{std::string(s)}}; }

  Ops& Object(Handle h) { return Add({.kind = OpKind::NewObject, .dest = h}); }
  Ops& Registry(Handle h, std::vector<Op> body = {}, bool async = false) {
    return Add({.kind = OpKind::NewRegistry, .dest = h, .body = std::move(body), .registryAsync = async});
  }
  Ops& CapturingRegistry(Handle h, Handle captured) {
    return Add({.kind = OpKind::NewRegistry, .dest = h, .args = {H(captured)}});
  }
  Ops& Link(Handle from, Handle to) { return Add({.kind = OpKind::Link, .args = {H(from), H(to)}}); }
  Ops& WeakRef(Handle h, Handle target) {
    return Add({.kind = OpKind::NewWeakRef, .dest = h, .args = {H(target)}});
  }
  Ops& Register(Handle r, Handle target, std::string_view held) {
    return Add({.kind = OpKind::Register, .args = {H(r), H(target), S(held)}});
  }
  Ops& Register(Handle r, Handle target, std::string_view held, Handle token) {
    return Add({.kind = OpKind::Register, .args = {H(r), H(target), S(held), H(token)}});
  }
  Ops& RegisterValue(Handle r, Operand target, Operand held, std::vector<Operand> token = {}) {
    std::vector<Operand> args = {H(r), std::move(target), std::move(held)};
    args.insert(args.end(), token.begin(), token.end());
    return Add({.kind = OpKind::Register, .args = std::move(args)});
  }
  Ops& WeakRefOf(Handle h, Operand target) {
    return Add({.kind = OpKind::NewWeakRef, .dest = h, .args = {std::move(target)}});
  }
  Ops& Unregister(Handle r, Handle token) {
    return Add({.kind = OpKind::Unregister, .args = {H(r), H(token)}});
  }
  Ops& Deref(Handle w) { return Add({.kind = OpKind::Deref, .args = {H(w)}}); }
  Ops& WeakMap(Handle h) { return Add({.kind = OpKind::NewWeakMap, .dest = h}); }
  Ops& Set(Handle map, Handle key, Handle value) {
    return Add({.kind = OpKind::WeakMapSet, .args = {H(map), H(key), H(value)}});
  }
  Ops& Drop(Handle h) { return Add({.kind = OpKind::Drop, .dest = h}); }
  Ops& Gc() { return Add({.kind = OpKind::Gc}); }
  Ops& Repeat(std::uint32_t count, std::vector<Op> body) {
    return Add({.kind = OpKind::Repeat, .body = std::move(body), .repeatCount = count});
  }
  Ops& Then(std::vector<Op> body) { return Add({.kind = OpKind::Then, .body = std::move(body)}); }
  Ops& Turn(CellOrder order = CellOrder::Fifo) {
    return Add({.kind = OpKind::Turn, .turnOrder = order});
  }

  std::vector<Op> Take() { return std::move(ops_); }

 private:
  Ops& Add(Op op) {
    ops_.push_back(std::move(op));
    return *this;
  }

  ScenarioDraw draw_;
  std::vector<Op> ops_;
};

}  // namespace

std::vector<Op> MakeScenario(const ScenarioDraw& draw) {
  Ops o(draw);
  switch (draw.scenario) {
    case Scenario::UnregisterAfterDeath: {
      // Invariant 1: the unregister removes the cell although its target is already
      // collected, so the turn calls nothing. Variant: two cells share the token.
      const Handle r = o.Slot(0), target = o.Slot(1), token = o.Slot(2);
      o.Registry(r).Object(target).Object(token).Register(r, target, "x", token);
      if (o.Variant(0)) o.Register(r, target, "y", token);
      o.Drop(target).Gc().Unregister(r, token).Turn();
      break;
    }
    case Scenario::SharedToken: {
      // Invariant 7: unregister removes only its own registry's cells; the other one's
      // cell is still there to unregister (or, variant, to be called back).
      const Handle r1 = o.Slot(0), r2 = o.Slot(1), target = o.Slot(2), token = o.Slot(3);
      o.Registry(r1).Registry(r2).Object(target).Object(token);
      o.Register(r1, target, "a", token).Register(r2, target, "b", token).Unregister(r1, token);
      if (o.Variant(0)) {
        o.Drop(target).Gc().Turn();
      } else {
        o.Unregister(r2, token);
      }
      break;
    }
    case Scenario::ThrowLeavesCells: {
      // Invariant 11: the first callback throws, the job ends, the other cell stays:
      // unregistering it succeeds, whichever order (variant: LIFO) the turn took.
      const Handle r = o.Slot(0), t1 = o.Slot(1), t2 = o.Slot(2), k1 = o.Slot(3), k2 = o.Slot(4);
      o.Registry(r, {Op{.kind = OpKind::Throw}}).Object(t1).Object(t2).Object(k1).Object(k2);
      o.Register(r, t1, "a", k1).Register(r, t2, "b", k2).Drop(t1).Drop(t2).Gc();
      o.Turn(o.Variant(0) ? CellOrder::Lifo : CellOrder::Fifo).Unregister(r, k2).Unregister(r, k1);
      break;
    }
    case Scenario::WeakRefAcrossTurn: {
      // Invariant 10: a new WeakRef keeps its target alive until the turn ends; after
      // that a gc collects it and deref must answer undefined. Variant: no registry.
      const Handle target = o.Slot(0), w = o.Slot(1), r = o.Slot(2);
      o.Object(target).WeakRef(w, target);
      if (!o.Variant(0)) o.Registry(r).Register(r, target, "x");
      o.Drop(target).Turn().Gc().Deref(w).Turn();
      break;
    }
    case Scenario::RegistryDiesWithJob: {
      // Invariant 9: the pending job keeps its registry alive; once it has run, the
      // registry is garbage like any other object.
      const Handle r = o.Slot(0), target = o.Slot(1);
      o.Registry(r).Object(target).Register(r, target, "x").Drop(target).Gc().Drop(r).Gc().Turn();
      if (o.Variant(0)) o.Gc();
      break;
    }
    case Scenario::CallbackReenters: {
      // A callback that derefs a WeakRef to a collected target and registers another
      // target with its own registry (variant: then throws).
      const Handle target = o.Slot(0), w = o.Slot(1), r = o.Slot(2), other = o.Slot(3);
      std::vector<Op> body = {
          Op{.kind = OpKind::Deref, .args = {Ops::H(w)}},
          Op{.kind = OpKind::Register, .args = {Ops::H(r), Ops::H(other), Operand{HeldRef{}}}},
      };
      if (o.Variant(0)) body.push_back(Op{.kind = OpKind::Throw});
      o.Object(target).WeakRef(w, target).Object(other).Registry(r, std::move(body));
      o.Register(r, target, "x").Drop(target).Turn().Gc().Turn().Drop(other).Gc().Turn();
      break;
    }
    case Scenario::CallbackCapturesTarget: {
      // Invariant 4: the callback closes over its own target (variant: over an object
      // linking to it), so no gc collects it while the registry lives; once the
      // registry is dropped, all go together and nothing is called.
      const Handle r = o.Slot(0), target = o.Slot(1), holder = o.Slot(2);
      o.Object(target);
      if (o.Variant(0)) o.Object(holder).Link(holder, target);
      o.CapturingRegistry(r, o.Variant(0) ? holder : target).Register(r, target, "x");
      if (o.Variant(0)) o.Drop(holder);
      o.Drop(target).Gc().Turn().Drop(r).Gc().Turn();
      break;
    }
    case Scenario::LinkKeepsTarget: {
      // Invariant 4: the target's last reference is a link from a live object (variant:
      // through a second object), so the gc keeps it and the turn calls nothing; once
      // the link goes, its callback comes.
      const Handle r = o.Slot(0), holder = o.Slot(1), target = o.Slot(2), middle = o.Slot(3);
      o.Registry(r).Object(holder).Object(target);
      if (o.Variant(0)) {
        o.Object(middle).Link(holder, middle).Link(middle, target).Drop(middle);
      } else {
        o.Link(holder, target);
      }
      o.Register(r, target, "x").Drop(target).Gc().Turn().Drop(holder).Gc().Turn();
      break;
    }
    case Scenario::CellKeepsHeldValue: {
      // Invariant 8: a cell holds its heldValue strongly, so with the target alive a gc
      // leaves it; once the target dies, the callback gets it (variant: an unregister
      // frees it instead).
      const Handle r = o.Slot(0), target = o.Slot(1), held = o.Slot(2), token = o.Slot(3);
      o.Registry(r).Object(target).Object(held).Object(token);
      o.RegisterValue(r, Ops::H(target), Ops::H(held), {Ops::H(token)});
      o.Drop(held).Gc();
      if (o.Variant(0)) {
        o.Unregister(r, token).Gc().Turn();
      } else {
        o.Drop(target).Gc().Turn();
      }
      break;
    }
    case Scenario::KeptAliveBeforeTurn: {
      // Invariant 10: a new WeakRef adds its target to [[KeptAlive]] (WeakRef step 4;
      // variant: a deref after a turn does, WeakRefDeref step 2.a), so a gc before the
      // run ends keeps the target and the deref after it still answers it.
      const Handle target = o.Slot(0), w = o.Slot(1);
      o.Object(target).WeakRef(w, target);
      if (o.Variant(0)) o.Turn().Deref(w);
      o.Drop(target).Gc().Deref(w).Turn().Gc().Deref(w);
      break;
    }
    case Scenario::RegisteredSymbolTarget: {
      // Invariant 3: CanBeHeldWeakly is false for a registered symbol in every profile:
      // register's target (variant: a WeakRef's) must be a TypeError.
      const Handle r = o.Slot(0), w = o.Slot(1);
      const Operand symbol = Value{RegisteredSymbol{"k"}};
      if (o.Variant(0)) {
        o.WeakRefOf(w, symbol);
      } else {
        o.Registry(r).RegisterValue(r, symbol, Ops::S("x"));
      }
      break;
    }
    case Scenario::ManyCells: {
      // Invariant 12: 70 targets, each registered with its iteration as heldValue and
      // dropped; the gc empties every cell and the turn calls back all 70 (variant:
      // LIFO): past 64, where a fixed table of cells would have lost some.
      const Handle r = o.Slot(0), target = o.Slot(1);
      o.Registry(r).Repeat(70, {
          Op{.kind = OpKind::NewObject, .dest = target},
          Op{.kind = OpKind::Register, .args = {Ops::H(r), Ops::H(target), Operand{IterationRef{}}}},
          Op{.kind = OpKind::Drop, .dest = target},
      });
      o.Gc().Turn(o.Variant(0) ? CellOrder::Lifo : CellOrder::Fifo);
      break;
    }
    case Scenario::AsyncThrowGoesOn: {
      // Invariant 12: an async callback's throw rejects its promise and the job goes on,
      // so both cells of the one target (one job at most, no re-post) are called back
      // in the turn; unregister then finds neither (variant: one cell has no token).
      const Handle r = o.Slot(0), target = o.Slot(1), token = o.Slot(2);
      o.Registry(r, {Op{.kind = OpKind::Throw}}, /*async=*/true).Object(target).Object(token);
      o.Register(r, target, "a", token);
      if (o.Variant(0)) {
        o.Register(r, target, "b");
      } else {
        o.Register(r, target, "b", token);
      }
      o.Drop(target).Gc().Turn().Unregister(r, token);
      break;
    }
    case Scenario::EntryKeepsValue: {
      // Invariant 4: the target's one reference is a WeakMap entry's value, and the map
      // and the key live, so the gc keeps it and the turn calls nothing; dropping the
      // key then frees it (variant: the key first, so it goes at once).
      const Handle r = o.Slot(0), map = o.Slot(1), key = o.Slot(2), value = o.Slot(3);
      o.Registry(r).WeakMap(map).Object(key).Object(value).Set(map, key, value);
      o.Register(r, value, "v").Drop(value);
      if (o.Variant(0)) o.Drop(key);
      o.Gc().Turn();
      break;
    }
    case Scenario::KeptAliveThroughCheckpoint: {
      // Invariant 10: [[KeptAlive]] holds a new WeakRef's target until the microtask
      // checkpoint that ends the synchronous run is over (HTML's order, the model's), so
      // a promise job's gc keeps it and its deref answers it (variant: a second deref
      // after the turn, when a gc may take it).
      const Handle target = o.Slot(0), w = o.Slot(1);
      o.Object(target).WeakRef(w, target).Drop(target);
      o.Then({Op{.kind = OpKind::Gc}, Op{.kind = OpKind::Deref, .args = {Ops::H(w)}}}).Turn();
      if (o.Variant(0)) o.Gc().Deref(w);
      break;
    }
  }
  return o.Take();
}

}  // namespace finrig::gen
