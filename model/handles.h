// The program's handles h0..h255, a script's locals: each undefined until assigned.
// Stored only up to the highest handle assigned, because every gc's marking, every
// reachability walk of the checker and every state hash of a search walks them all: a
// program that uses h0..h3 should pay for four, not 256 (a fuzzed input runs thousands
// of such walks a second).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "model/program.h"
#include "model/value.h"

namespace finrig {

class Handles {
 public:
  const Value& operator[](Handle h) const {
    static const Value kUndefined = Undefined{};
    return h < values_.size() ? values_[h] : kUndefined;
  }

  void Set(Handle h, Value v) {
    if (h >= values_.size()) values_.resize(std::size_t{h} + 1);  // Value{} is undefined
    values_[h] = std::move(v);
  }

  // h0 up to the highest handle assigned (later ones are undefined): the index of a
  // value is its handle.
  const std::vector<Value>& Assigned() const { return values_; }

 private:
  std::vector<Value> values_;
};

}  // namespace finrig
