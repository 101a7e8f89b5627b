// Which cell each callback delivered, decided as a matching. A trace names a callback
// by its registry and heldValue only, so where several cells share a heldValue the
// checker must find an attribution (callback -> cell, one cell each) that every later
// observation agrees with. The walk (checker.cpp) searches attributions one run at a
// time; this ledger decides at once whether any can exist, from the facts that hold
// whatever the host chose:
//
//   - a callback delivered one cell of its registry, with its heldValue (SameValue),
//     and no other callback did (CleanupFinalizationRegistry steps 3.a-3.c,
//     docs/SEMANTICS.md section 5; invariant 5): a cell registered before it and not
//     removed by an unregister of its token before it (unregister step 5.a.i removes a
//     cell whatever its target's state; invariant 1); not one whose target a deref
//     returned after it (nothing sets a target back; invariant 10), nor, where the
//     trace reports collections, one whose target was not yet reported collected;
//   - unregister(token) answering false means every cell with that token it could have
//     removed was delivered before it; answering true, that one was not, so when only
//     one cell could answer, that cell was never delivered (unregister steps 5.a.ii and
//     6; invariant 7).
//
// What a callback's target's reachability implies depends on other choices (which
// heldValues are still held), so the ledger leaves it to the walk: it is a relaxation,
// necessary for a trace to be legal, never sufficient. An unsolvable ledger is a
// verdict; a solvable one lets the walk's search skip every choice that makes it
// unsolvable. Both callbacks and the cells that must have gone are saturated by some
// matching iff each side is by one (the Mendelsohn-Dulmage theorem), so two runs of
// augmenting paths decide it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "model/checker.h"
#include "model/program.h"
#include "model/value.h"

namespace finrig {

class Attribution {
 public:
  using Time = std::size_t;  // an index into the trace's events: their order
  // A cell by its registry and its place in the registry's cells, in registration order.
  struct CellRef {
    HeapId registry;
    std::size_t index;
  };

  // --- the facts, in trace order ---
  void Register(HeapId registry, const Value& target, const Value& held,
                const std::optional<Value>& token, Time at, int line);
  void Unregister(HeapId registry, const Value& token, bool answer, Time at, const Op* op);
  void Callback(HeapId registry, const Value& held, Time at, const Op* op);
  void Threw(HeapId registry, Time at);  // a callback of the registry threw
  void DerefAnswered(HeapId target, Time at, int line);  // the target, alive
  void Collected(HeapId target, Time at);  // reported, or a deref answered undefined
  void ReportsCollections(Time at);

  // Whether an attribution exists in which callback i delivered delivered[i], for the
  // first delivered.size() callbacks (nullopt: one no cell could be; the rest are free).
  bool Solvable(const std::vector<std::optional<CellRef>>& delivered) const;
  // Why no attribution exists, if none does (empty if one does): a violation for each
  // contradiction, with the cells and callbacks that show it, in trace order.
  std::vector<Violation> Refute() const;

 private:
  static constexpr Time kNever = SIZE_MAX;
  struct Cell {
    CellRef ref;
    Value held;
    std::optional<HeapId> target;
    std::optional<Value> token;
    Time registeredAt;
    int line;
    Time removedAt = kNever;  // by the first unregister of its token after it
    const Op* removedBy = nullptr;
    const Op* keptBy = nullptr;  // an unregister answered true with only this cell to remove
    const Op* goneBy = nullptr;  // an unregister answered false while it could be there
  };
  struct CallbackFact {
    HeapId registry;
    Value held;
    Time at;
    const Op* op;
  };
  struct TargetFacts {
    Time lastSeenAlive = 0;
    int aliveLine = 0;
    Time collectedAt = kNever;
  };
  // An unregister that answered true with no cell it could remove: wrong whatever the
  // host chose.
  struct EmptyTrue {
    HeapId registry;
    Value token;
    Time at;
    const Op* op;
  };
  enum class Why : std::uint8_t { Could, NotYetRegistered, Unregistered, Kept, Alive, NotCollected };

  // Why callback `cb` cannot have delivered `cell` (Could if it can).
  Why CouldDeliver(const CallbackFact& cb, const Cell& cell) const;
  struct Failure;
  // The first failure found, or with `all` one of each kind there is.
  std::vector<Failure> Solve(const std::vector<std::optional<CellRef>>& delivered,
                             bool all) const;
  Violation Explain(const Failure& failure) const;
  const std::vector<std::size_t>& CellsOf(HeapId registry) const;  // none for a stranger
  std::size_t CellIndex(const CellRef& ref) const;

  std::vector<Cell> cells_;
  std::map<HeapId, std::vector<std::size_t>> cellsOf_;  // registry -> cells_ indices
  std::vector<CallbackFact> callbacks_;
  std::map<HeapId, TargetFacts> targets_;
  std::vector<EmptyTrue> emptyTrue_;
  std::vector<std::pair<HeapId, Time>> throws_;
  Time reportsFrom_ = kNever;
};

}  // namespace finrig
