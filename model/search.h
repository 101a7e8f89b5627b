// A depth-first search over choices that a run cannot see ahead of time, by re-running
// from the start: the checker's over what a trace hides (which look-alike cell a
// callback delivered, where jobs began), the replay's over every choice of the model's
// host (engines/replay.h). A run makes its first choices as `prefix` says and every
// later one its first option; Backtrack moves the deepest choice with an option left on
// by one. A choice point whose every option failed is remembered by the state there
// (StateHash): any later run that reaches the same state fails too, which turns the
// orders in which interchangeable choices could be made into sets of them.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <unordered_set>
#include <vector>

#include "model/handles.h"
#include "model/value.h"

namespace finrig {

// Unwinds one run of a search at a point where another choice might do better.
struct BranchFailed {};

// FNV-1a over whatever a search's state is made of.
class StateHash {
 public:
  void Add(std::uint64_t x) { hash_ = (hash_ ^ x) * 0x100000001b3; }
  void Add(std::string_view bytes) {
    Add(bytes.size());
    for (char c : bytes) Add(static_cast<unsigned char>(c));
  }
  void Add(const Value& v) {
    Add(v.index());
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, bool>) {
            Add(static_cast<std::uint64_t>(x));
          } else if constexpr (std::is_same_v<T, double>) {
            // As SameValue: +0 is not -0, and every NaN is every other.
            Add(std::isnan(x) ? 0x7ff8000000000000 : std::bit_cast<std::uint64_t>(x));
          } else if constexpr (std::is_same_v<T, String>) {
            Add(x.bytes);
          } else if constexpr (std::is_same_v<T, BigInt>) {
            Add(x.decimal);
          } else if constexpr (std::is_same_v<T, RegisteredSymbol>) {
            Add(x.key);
          } else if constexpr (std::is_same_v<T, WellKnownSymbol>) {
            Add(x.name);
          } else if constexpr (std::is_same_v<T, UniqueSymbol> || std::is_same_v<T, ObjectRef>) {
            Add(x.id);
          }
        },
        v);
  }
  void Add(const std::vector<Value>& values) {
    Add(values.size());
    for (const Value& v : values) Add(v);
  }
  // Equal handles hash equal however far they were once assigned: by each defined
  // one's number and value.
  void Add(const Handles& handles) {
    const std::vector<Value>& values = handles.Assigned();
    for (std::size_t h = 0; h < values.size(); ++h) {
      if (std::holds_alternative<Undefined>(values[h])) continue;
      Add(h);
      Add(values[h]);
    }
  }
  std::uint64_t Get() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325;
};

struct Choices {
  struct Taken {
    std::size_t option;
    std::size_t options;
    std::uint64_t state;  // the searcher's state (and place) before choosing
  };
  std::vector<std::size_t> prefix = {};
  std::vector<Taken> taken = {};
  std::unordered_set<std::uint64_t> failed = {};

  // Throws BranchFailed when this state is known to fail whatever is chosen.
  std::size_t Choose(std::size_t options, std::uint64_t state) {
    if (taken.size() >= prefix.size() && failed.contains(state)) throw BranchFailed{};
    const std::size_t option = taken.size() < prefix.size() ? prefix[taken.size()] : 0;
    taken.push_back(Taken{option, options, state});
    return option;
  }

  // The next run's prefix: the deepest choice with an option left, moved on by one.
  bool Backtrack() {
    while (!taken.empty() && taken.back().option + 1 >= taken.back().options) {
      failed.insert(taken.back().state);
      taken.pop_back();
    }
    if (taken.empty()) return false;
    prefix.clear();
    for (const Taken& t : taken) prefix.push_back(t.option);
    ++prefix.back();
    taken.clear();
    return true;
  }
};

}  // namespace finrig
