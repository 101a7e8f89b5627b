// The checker: judges a (program, trace) pair against the invariants of
// docs/SEMANTICS.md and the program's `expect` lines. It keeps its own books (handles,
// objects, edges, cells and what is known to be dead) from the program and the
// observed results and never calls into the model, so it can judge a trace the model
// did not produce: where the spec allows choices (what is collected when, cleanup
// order, early stops), it accepts any allowed choice and checks only what must hold
// whatever was chosen. What a trace does not show (which of several look-alike cells a
// callback delivered, where an engine's jobs begin and end) it searches: a trace passes
// when some choice of these explains it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/invariant.h"
#include "model/program.h"
#include "model/trace.h"

namespace finrig {

struct Violation {
  Invariant invariant;
  std::string message;
  const Op* op = nullptr;  // the op being judged, when there is one
  int line = 0;            // where to look in the .fr file (op or expect line), 0 if unknown
};

struct CheckOptions {
  Profile profile = Profile::Es2023;
  // The model's rules, beyond what ECMA-262 asks of every engine: completeness
  // (invariant 12: a full gc collects everything unreachable, and a turn without
  // options delivers every cell whose target a gc reported collected before it), and
  // invariant 9 (a collected registry delivers nothing). False: acceptor mode, for
  // engines, which may never collect, and may clean up for a registry they collected.
  bool strict = true;
  // The trace may stop before the program does (an engine crashed, hung or ran past
  // the callback budget): judge what it shows.
  bool partial = false;
  // Completeness for engines that promise it (--strict): the program ends with a full gc
  // and turns (engines::WithSettle), after which every cell of a reachable registry whose
  // target nothing reaches must have been delivered.
  bool completeAtEnd = false;
  // The letter of ECMA-262 where engines commonly go beyond it: a cleanup job only
  // when a collection enqueued one (Execution step 1.b: at most one per collected value
  // and registry), so no job re-posted after a throwing callback (docs/SEMANTICS.md,
  // choice 5; V8 re-posts). Off: re-posting is accepted, as engine profiles declare it.
  bool letter = false;
  // Runs of the walk the search over hidden choices may make; 0: no limit, and the
  // judgement is exact (the search backtracks over every choice), however long it takes.
  // A search that needs more stops undecided, and the trace passes: a false alarm would
  // cost more than a miss. Only traces with many look-alike cells and no explanation
  // get near it.
  int maxRuns = 1000;
};

struct CheckStats {
  int runs = 0;            // walks of the trace the search made
  bool undecided = false;  // it stopped at maxRuns with every run so far failing
  bool refuted = false;    // no attribution of callbacks to cells fits (model/attribution.h)
};

std::vector<Violation> CheckTrace(const Program& program, const Trace& trace,
                                  const CheckOptions& options, CheckStats* stats = nullptr);

// "no callback for an unregistered cell", ... ; "expectation", "trace mismatch".
std::string_view InvariantName(Invariant invariant);
// What a finding is, without why: "invariant 4"; "trace mismatch", "expectation".
std::string InvariantId(Invariant invariant);
// "invariant 4 (no callback while the target is reachable)"; "trace mismatch".
std::string InvariantLabel(Invariant invariant);

// The one way a violation is written, so that users, scripts and the tests that grep
// for "invariant 4" read the same words everywhere. Where it is comes first: "FILE:LINE: "
// with a file, "line LINE: " without one; just "FILE: " or nothing when the line is 0.
enum class ViolationStyle : std::uint8_t {
  // "corpus/x.fr:10: invariant 4 (no callback while the target is reachable): callback
  // @0(1) ...": finrig run, diff and check, test failures.
  Located,
  // "[4 no callback while the target is reachable] callback @0(1) ...": the fuzz
  // targets' crash reports, which also name the two that are not invariants by number.
  Tagged,
};
std::string FormatViolation(const Violation& v, std::string_view file = {},
                            ViolationStyle style = ViolationStyle::Located);

}  // namespace finrig
