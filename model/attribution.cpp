#include "model/attribution.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include <fmt/format.h>

namespace finrig {
namespace {

std::string Ordinal(std::size_t n) {
  const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                       : n % 10 == 1                    ? "st"
                       : n % 10 == 2                    ? "nd"
                       : n % 10 == 3                    ? "rd"
                                                        : "th";
  return fmt::format("{}{}", n, suffix);
}

// A list a reader can take in: past a few, the rest are counted.
constexpr std::size_t kListed = 6;

std::string Lines(const std::vector<int>& lines) {
  std::string text;
  const std::size_t shown = lines.size() > kListed ? kListed - 1 : lines.size();
  for (std::size_t i = 0; i < shown; ++i) {
    text += i == 0 ? "" : i + 1 == lines.size() ? " and " : ", ";
    text += std::to_string(lines[i]);
  }
  if (shown < lines.size()) text += fmt::format(" and {} more", lines.size() - shown);
  return text;
}

// Kuhn's augmenting paths over a bipartite graph given as adjacency lists from the
// left. Visited left and right vertices of the last failed Augment form a Hall
// witness: the left ones reach only the right ones, all matched to the others.
class Matching {
 public:
  Matching(const std::vector<std::vector<std::size_t>>& edges, std::size_t right)
      : edges_(edges), owner_(right, kFree), seenLeft_(edges.size()), seenRight_(right) {}

  bool Augment(std::size_t left) {
    std::fill(seenLeft_.begin(), seenLeft_.end(), false);
    std::fill(seenRight_.begin(), seenRight_.end(), false);
    return Try(left);
  }
  const std::vector<bool>& SeenLeft() const { return seenLeft_; }
  const std::vector<bool>& SeenRight() const { return seenRight_; }

 private:
  static constexpr std::size_t kFree = SIZE_MAX;
  bool Try(std::size_t left) {
    seenLeft_[left] = true;
    for (std::size_t right : edges_[left]) {
      if (seenRight_[right]) continue;
      seenRight_[right] = true;
      if (owner_[right] == kFree || Try(owner_[right])) {
        owner_[right] = left;
        return true;
      }
    }
    return false;
  }
  const std::vector<std::vector<std::size_t>>& edges_;
  std::vector<std::size_t> owner_;
  std::vector<bool> seenLeft_, seenRight_;
};

// What the vertices a failed Augment visited stand for: ids[i] for vertex i, or i.
std::vector<std::size_t> Visited(const std::vector<bool>& seen,
                                 const std::vector<std::size_t>* ids = nullptr) {
  std::vector<std::size_t> visited;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) visited.push_back(ids != nullptr ? (*ids)[i] : i);
  }
  return visited;
}

}  // namespace

// Why no attribution exists. Callback: callback `at` can have delivered no cell the
// others leave it; `callbacks` (with it) reach only `cells`, one fewer. Cell: cell `at`
// must have gone before an unregister answered false, but `cells` (with it) could only
// have gone to `callbacks`, one fewer. EmptyTrue: emptyTrue_[at] answered true with no
// cell to remove. Delivered: a callback the caller fixed could not have delivered its cell.
struct Attribution::Failure {
  enum class Kind : std::uint8_t { Callback, Cell, EmptyTrue, Delivered };
  Kind kind;
  std::size_t at = 0;
  Time when = 0;  // where the trace shows it: the callback, or the unregister
  std::vector<std::size_t> callbacks = {};
  std::vector<std::size_t> cells = {};
};

void Attribution::Register(HeapId registry, const Value& target, const Value& held,
                           const std::optional<Value>& token, Time at, int line) {
  std::vector<std::size_t>& ofRegistry = cellsOf_[registry];
  ofRegistry.push_back(cells_.size());
  cells_.push_back(Cell{.ref = {registry, ofRegistry.size() - 1},
                        .held = held,
                        .target = HeapIdOf(target),
                        .token = token,
                        .registeredAt = at,
                        .line = line});
}

// Unregister step 5: every cell of this registry with that token still in [[Cells]]
// goes; one delivered before is gone already. Step 6 answers whether any was there.
void Attribution::Unregister(HeapId registry, const Value& token, bool answer, Time at,
                             const Op* op) {
  std::vector<std::size_t> could;
  for (std::size_t c : cellsOf_[registry]) {
    Cell& cell = cells_[c];
    if (cell.removedAt != kNever || !cell.token || !SameValue(*cell.token, token)) continue;
    cell.removedAt = at;
    cell.removedBy = op;
    could.push_back(c);
  }
  if (!answer) {
    for (std::size_t c : could) cells_[c].goneBy = op;
  } else if (could.size() == 1) {
    cells_[could[0]].keptBy = op;
  } else if (could.empty()) {
    emptyTrue_.push_back(EmptyTrue{registry, token, at, op});
  }
}

void Attribution::Callback(HeapId registry, const Value& held, Time at, const Op* op) {
  callbacks_.push_back(CallbackFact{registry, held, at, op});
}

void Attribution::Threw(HeapId registry, Time at) { throws_.emplace_back(registry, at); }

void Attribution::DerefAnswered(HeapId target, Time at, int line) {
  TargetFacts& facts = targets_[target];
  facts.lastSeenAlive = at;
  facts.aliveLine = line;
}

void Attribution::Collected(HeapId target, Time at) {
  TargetFacts& facts = targets_[target];
  facts.collectedAt = std::min(facts.collectedAt, at);
}

void Attribution::ReportsCollections(Time at) { reportsFrom_ = std::min(reportsFrom_, at); }

Attribution::Why Attribution::CouldDeliver(const CallbackFact& cb, const Cell& cell) const {
  if (cell.registeredAt > cb.at) return Why::NotYetRegistered;
  if (cell.removedAt < cb.at) return Why::Unregistered;
  if (cell.keptBy != nullptr) return Why::Kept;
  const auto facts = cell.target ? targets_.find(*cell.target) : targets_.end();
  if (facts != targets_.end() && facts->second.lastSeenAlive > cb.at) return Why::Alive;
  if (reportsFrom_ < cb.at && (facts == targets_.end() || facts->second.collectedAt > cb.at)) {
    return Why::NotCollected;
  }
  return Why::Could;
}

const std::vector<std::size_t>& Attribution::CellsOf(HeapId registry) const {
  static const std::vector<std::size_t> kNone;
  const auto found = cellsOf_.find(registry);
  return found == cellsOf_.end() ? kNone : found->second;
}

std::size_t Attribution::CellIndex(const CellRef& ref) const {
  return cellsOf_.at(ref.registry).at(ref.index);
}

std::vector<Attribution::Failure> Attribution::Solve(
    const std::vector<std::optional<CellRef>>& delivered, bool all) const {
  // Each side fails first at the earliest prefix of the trace it cannot match (an
  // augmenting path exists for each callback, or cell, in time order, until one has
  // none). Each side's failure is a contradiction of its own; with `all`, both are found.
  std::vector<Failure> failures;
  const auto fail = [&](Failure failure) {
    failures.push_back(std::move(failure));
    return !all;
  };
  for (std::size_t i = 0; i < emptyTrue_.size(); ++i) {
    if (fail(Failure{.kind = Failure::Kind::EmptyTrue, .at = i, .when = emptyTrue_[i].at})) {
      return failures;
    }
  }
  std::vector<bool> taken(cells_.size(), false);
  for (std::size_t i = 0; i < delivered.size() && i < callbacks_.size(); ++i) {
    if (!delivered[i]) continue;  // no cell could be it: the walk reports that
    const std::size_t c = CellIndex(*delivered[i]);
    if (taken[c] || CouldDeliver(callbacks_[i], cells_[c]) != Why::Could) {
      return {Failure{.kind = Failure::Kind::Delivered, .at = i, .when = callbacks_[i].at}};
    }
    taken[c] = true;
  }
  // The callbacks still to attribute, and the cells each could have delivered. One
  // with no cell of that heldValue at all is the walk's to report, whatever is chosen.
  std::vector<std::size_t> free;
  std::vector<std::vector<std::size_t>> edges;
  for (std::size_t i = delivered.size(); i < callbacks_.size(); ++i) {
    const CallbackFact& cb = callbacks_[i];
    std::vector<std::size_t> could;
    bool any = false;
    for (std::size_t c : CellsOf(cb.registry)) {
      const Cell& cell = cells_[c];
      if (cell.registeredAt > cb.at || !SameValue(cell.held, cb.held)) continue;
      any = true;
      if (!taken[c] && CouldDeliver(cb, cell) == Why::Could) could.push_back(c);
    }
    if (!any) continue;
    free.push_back(i);
    edges.push_back(std::move(could));
  }
  // Every callback delivered a cell of its own.
  Matching byCallback(edges, cells_.size());
  for (std::size_t k = 0; k < free.size(); ++k) {
    if (byCallback.Augment(k)) continue;
    if (fail(Failure{.kind = Failure::Kind::Callback,
                     .at = free[k],
                     .when = callbacks_[free[k]].at,
                     .callbacks = Visited(byCallback.SeenLeft(), &free),
                     .cells = Visited(byCallback.SeenRight())})) {
      return failures;
    }
    break;
  }
  // Every cell an unregister found gone went to a callback of its own.
  std::vector<std::size_t> gone;
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    if (cells_[c].goneBy != nullptr && !taken[c]) gone.push_back(c);
  }
  std::stable_sort(gone.begin(), gone.end(), [&](std::size_t a, std::size_t b) {
    return cells_[a].removedAt < cells_[b].removedAt;
  });
  std::vector<std::size_t> goneAt(cells_.size(), SIZE_MAX);  // cell -> its place in `gone`
  for (std::size_t g = 0; g < gone.size(); ++g) goneAt[gone[g]] = g;
  std::vector<std::vector<std::size_t>> reverse(gone.size());
  for (std::size_t k = 0; k < free.size(); ++k) {
    for (std::size_t c : edges[k]) {
      if (goneAt[c] != SIZE_MAX) reverse[goneAt[c]].push_back(k);
    }
  }
  Matching byCell(reverse, free.size());
  for (std::size_t g = 0; g < gone.size(); ++g) {
    if (byCell.Augment(g)) continue;
    fail(Failure{.kind = Failure::Kind::Cell,
                 .at = gone[g],
                 .when = cells_[gone[g]].removedAt,
                 .callbacks = Visited(byCell.SeenRight(), &free),
                 .cells = Visited(byCell.SeenLeft(), &gone)});
    break;
  }
  return failures;
}

bool Attribution::Solvable(const std::vector<std::optional<CellRef>>& delivered) const {
  return Solve(delivered, false).empty();
}

std::vector<Violation> Attribution::Refute() const {
  std::vector<Failure> failures = Solve({}, true);
  std::stable_sort(failures.begin(), failures.end(),
                   [](const Failure& a, const Failure& b) { return a.when < b.when; });
  std::vector<Violation> violations;
  for (const Failure& failure : failures) violations.push_back(Explain(failure));
  return violations;
}

Violation Attribution::Explain(const Failure& failure) const {
  const auto ordinalOf = [&](std::size_t i) {
    std::size_t n = 0;
    for (std::size_t j = 0; j <= i; ++j) {
      n += callbacks_[j].registry == callbacks_[i].registry &&
           SameValue(callbacks_[j].held, callbacks_[i].held);
    }
    return Ordinal(n);
  };
  const auto unregisterText = [](HeapId registry, const Value& token) {
    return fmt::format("@{}.unregister({})", registry, ToText(token));
  };
  switch (failure.kind) {
    case Failure::Kind::EmptyTrue: {
      const EmptyTrue& wrong = emptyTrue_[failure.at];
      return Violation{Invariant::UnregisterResultAndReach,
                       fmt::format("{} returned true; no cell with that token was left: false",
                                   unregisterText(wrong.registry, wrong.token)),
                       wrong.op, wrong.op->line};
    }
    case Failure::Kind::Callback: {
      const CallbackFact& cb = callbacks_[failure.at];
      std::vector<int> hallLines;
      for (std::size_t c : failure.cells) hallLines.push_back(cells_[c].line);
      std::vector<std::string> reasons;
      if (!failure.cells.empty()) {
        reasons.push_back(fmt::format(
            "{} cell{} (registered at line{} {}) {} all that the {} callbacks with that "
            "heldValue up to this one could have delivered",
            failure.cells.size(), failure.cells.size() == 1 ? "" : "s",
            failure.cells.size() == 1 ? "" : "s", Lines(hallLines),
            failure.cells.size() == 1 ? "is" : "are", failure.callbacks.size()));
      }
      // Why each other cell with that heldValue cannot be it; the first kind of reason,
      // in this order, names the rule.
      Invariant invariant = Invariant::OneCallbackPerCellWithItsHeldValue;
      int rank = 5;
      std::array<int, 4> ofRank{};  // reasons of each kind; past a few, only counted
      const auto because = [&](int r, Invariant named, std::string text) {
        if (r < rank) rank = r, invariant = named;
        if (++ofRank[r] <= static_cast<int>(kListed)) reasons.push_back(std::move(text));
      };
      for (std::size_t c : CellsOf(cb.registry)) {
        const Cell& cell = cells_[c];
        if (!SameValue(cell.held, cb.held) ||
            std::find(failure.cells.begin(), failure.cells.end(), c) != failure.cells.end()) {
          continue;
        }
        const auto target = cell.target ? targets_.find(*cell.target) : targets_.end();
        switch (CouldDeliver(cb, cell)) {
          case Why::Could:  // then it is one of the witness's cells, skipped above
          case Why::NotYetRegistered: break;
          case Why::Unregistered:
            because(0, Invariant::NoCallbackForUnregisteredCell,
                    fmt::format("the cell registered at line {} was unregistered at line {}",
                                cell.line, cell.removedBy->line));
            break;
          case Why::Kept:
            because(1, Invariant::UnregisterResultAndReach,
                    fmt::format("the cell registered at line {} was still there for the "
                                "unregister at line {}, which answered true",
                                cell.line, cell.keptBy->line));
            break;
          case Why::Alive:
            because(2, Invariant::WeakRefConsistencyAndKeptAlive,
                    fmt::format("the target @{} of the cell registered at line {} was "
                                "alive later, at line {} (a deref returned it)",
                                *cell.target, cell.line, target->second.aliveLine));
            break;
          case Why::NotCollected:
            because(3, Invariant::NoCallbackWhileTargetReachable,
                    fmt::format("the target @{} of the cell registered at line {} had not "
                                "been reported collected",
                                *cell.target, cell.line));
            break;
        }
      }
      std::string message = fmt::format(
          "callback @{}({}) (the {} with that heldValue): no cell can be the one it "
          "delivered",
          cb.registry, ToText(cb.held), ordinalOf(failure.at));
      for (std::size_t i = 0; i < reasons.size(); ++i) {
        message += (i == 0 ? ": " : "; ") + reasons[i];
      }
      const int unlisted = std::accumulate(ofRank.begin(), ofRank.end(), 0, [](int sum, int n) {
        return sum + std::max(0, n - static_cast<int>(kListed));
      });
      if (unlisted > 0) message += fmt::format("; and {} more cells alike", unlisted);
      return Violation{invariant, std::move(message), cb.op, cb.op->line};
    }
    case Failure::Kind::Cell: {
      const Cell& cell = cells_[failure.at];
      std::string message = fmt::format(
          "{} returned false, but the cell registered at line {} (heldValue {}) was still "
          "there: ",
          unregisterText(cell.ref.registry, *cell.token), cell.line, ToText(cell.held));
      if (failure.callbacks.empty()) {
        message += fmt::format("no callback of @{} with that heldValue that could have "
                               "delivered it ran before",
                               cell.ref.registry);
      } else {
        std::vector<std::string> which;
        for (std::size_t i : failure.callbacks) which.push_back(ordinalOf(i));
        std::vector<int> lines;
        for (std::size_t c : failure.cells) lines.push_back(cells_[c].line);
        message += fmt::format(
            "the callbacks that could have delivered it (the {} with heldValue {}) are "
            "fewer than the cells unregisters found gone that only they could have "
            "delivered (registered at lines {})",
            fmt::join(which, ", "), ToText(cell.held), Lines(lines));
      }
      // Gone without a callback after one threw: the cells a throw must leave (11).
      const bool afterThrow = std::any_of(throws_.begin(), throws_.end(), [&](const auto& t) {
        return t.first == cell.ref.registry && t.second > cell.registeredAt &&
               t.second < cell.removedAt;
      });
      if (afterThrow) message += fmt::format("; a callback of @{} threw while it was registered",
                                             cell.ref.registry);
      return Violation{afterThrow ? Invariant::ThrowingCallbackLosesNoCell
                                  : Invariant::UnregisterResultAndReach,
                       std::move(message), cell.goneBy, cell.goneBy->line};
    }
    case Failure::Kind::Delivered: break;  // only Solvable fixes deliveries
  }
  return Violation{Invariant::OneCallbackPerCellWithItsHeldValue, "a fixed delivery misfits"};
}

}  // namespace finrig
