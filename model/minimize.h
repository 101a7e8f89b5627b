// Program minimization: shrink a failing program to a small one that still fails.
// Delta debugging (ddmin) removes ops, first from the top-level list, then from each
// callback body; simplification passes then make what is left plainer (operands to
// `undefined` or simpler literals, no tokens, turn options, partial gcs, symbol
// descriptions or deref results; handles renumbered from h0), and both repeat until a
// round changes nothing.
//
// Every candidate is made valid the way the binary form makes any bytes valid
// (DecodeProgram(EncodeProgram(candidate)): uses of handles no longer assigned are
// redirected, ...), so removing the op that assigns a handle still gives a program.
// The result therefore has no comments and no `expect` lines. Minimization is
// deterministic: the same program and predicate give the same result.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "model/faults.h"
#include "model/invariant.h"
#include "model/program.h"

namespace finrig {

// True when a candidate still shows the failure being minimized.
using FailurePredicate = std::function<bool(const Program&)>;

struct MinimizeOptions {
  // The work bound: at most this many predicate calls on candidates (each a model run
  // and a check of a program no larger than the input), plus one on the input itself.
  // Candidates met before are not run again.
  // The fault programs padded to 20-900 ops took 30-600 checks.
  int maxChecks = 20000;
};

struct MinimizeResult {
  Program program;       // valid, fails the predicate, no comments or expectations
  int checks = 0;        // predicate calls made
  bool complete = true;  // false: maxChecks ran out before a fixpoint was reached
};

// Minimizes `failing`; nullopt when its valid form (what the binary form keeps) does
// not satisfy `stillFails` to begin with, so there is nothing to keep failing.
std::optional<MinimizeResult> Minimize(const Program& failing,
                                       const FailurePredicate& stillFails,
                                       const MinimizeOptions& options = {});

// What the standard predicate looks for: a run under `profile` with `faults` that
// violates every one of `invariants`. Every one, not any: a bug often shows first as
// one invariant and then as another (a target collected while reachable (8), then its
// callback (4)), and with "any" the result keeps only the cheaper symptom. Narrow
// `invariants` to chase one of them.
struct FailureTarget {
  std::vector<Invariant> invariants;  // numbered ones, or only TraceMismatch
  FaultSet faults;
  Profile profile = Profile::Es2023;
};

// The invariants `failing` violates under `faults` and `profile`. Failed `expect` lines
// are not among them: candidates have no expectations, so the invariants are what can
// be kept failing. A trace mismatch is the target only when no invariant is violated:
// after a violation, the checker's books often part from the trace, and keeping that
// echo would keep ops the failure does not need. nullopt when there are none: nothing
// to minimize.
std::optional<FailureTarget> TargetOf(const Program& failing, FaultSet faults,
                                      Profile profile);

// The standard predicate: a candidate fails iff the checker (strict) reports, in its
// run, a violation of each of target.invariants. A target without invariants is no
// failure, so no candidate fails it (and Minimize returns nullopt).
FailurePredicate StillViolates(FailureTarget target);

// Zeller's ddmin: a 1-minimal sublist of `items` (order kept) for which `fails` holds,
// given that it holds for `items`: removing any single element of the result makes
// `fails` false. The empty list is tried first.
template <typename T>
std::vector<T> Ddmin(std::vector<T> items,
                     const std::function<bool(const std::vector<T>&)>& fails) {
  if (items.empty() || fails({})) return {};
  // Chunk i of n nearly equal contiguous chunks, or everything but it.
  const auto part = [&](std::size_t n, std::size_t i, bool complement) {
    const std::size_t begin = items.size() * i / n, end = items.size() * (i + 1) / n;
    std::vector<T> out;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if ((k >= begin && k < end) != complement) out.push_back(items[k]);
    }
    return out;
  };
  std::size_t n = 2;
  while (items.size() >= 2) {
    bool reduced = false;
    for (std::size_t i = 0; i < n && !reduced; ++i) {
      if (std::vector<T> chunk = part(n, i, false); fails(chunk)) {
        items = std::move(chunk);
        n = 2;
        reduced = true;
      }
    }
    // With two chunks each complement is the other chunk, tried just above.
    for (std::size_t i = 0; i < n && !reduced && n > 2; ++i) {
      if (std::vector<T> rest = part(n, i, true); fails(rest)) {
        items = std::move(rest);
        n = n - 1;
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= items.size()) break;  // single elements tried: 1-minimal
      n = std::min(2 * n, items.size());
    }
  }
  return items;
}

}  // namespace finrig
