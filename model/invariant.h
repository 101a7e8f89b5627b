// What a finding is about: one of the invariants of docs/SEMANTICS.md (section 7), or
// one of the two things the checker reports that are not invariants. A header of the ir
// layer, with no code: the model's faults name the invariant each breaks, and the
// checker reports them.
#pragma once

namespace finrig {

// The numbers are docs/SEMANTICS.md's, which users see ("invariant 4") and pass to
// `finrig minimize --invariant N`. The two that are not invariants keep the numbers
// the fuzz reports ("[-1 trace mismatch]") and `--invariant -1` have always used.
enum class Invariant : int {
  TraceMismatch = -1,  // the trace does not fit the program
  Expectation = 0,     // an `expect` line did not hold
  NoCallbackForUnregisteredCell = 1,
  RegisterRejectsTargetEqualsHeldValue = 2,
  TypeErrorExactlyForBadArguments = 3,
  NoCallbackWhileTargetReachable = 4,
  OneCallbackPerCellWithItsHeldValue = 5,
  CallbacksOnlyFromCleanupJobs = 6,
  UnregisterResultAndReach = 7,
  TokensTargetsWeakHeldValuesStrong = 8,
  CollectedRegistryDeliversNothing = 9,
  WeakRefConsistencyAndKeptAlive = 10,
  ThrowingCallbackLosesNoCell = 11,
  Completeness = 12,
};

constexpr int InvariantNumber(Invariant invariant) { return static_cast<int>(invariant); }

// One of the twelve of docs/SEMANTICS.md, not TraceMismatch or Expectation.
constexpr bool IsNumbered(Invariant invariant) { return InvariantNumber(invariant) >= 1; }

}  // namespace finrig
