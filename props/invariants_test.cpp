// One property per invariant of docs/SEMANTICS.md: over generated programs, the model's
// trace never violates it. tests in faults_test.cpp prove each can fail.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "props/generators.h"
#include "props/judge.h"

namespace finrig::props {
namespace {

// The test names keep docs/SEMANTICS.md's numbers: Invariant.I01_NoCallbackForUnregisteredCell.
#define FINRIG_INVARIANT_PROP(Number, Name)           \
  RC_GTEST_PROP(Invariant, I##Number##_##Name, ()) {  \
    const Program program = *GenProgram();            \
    RequireInvariant(Invariant::Name, program);       \
  }

FINRIG_INVARIANT_PROP(01, NoCallbackForUnregisteredCell)
FINRIG_INVARIANT_PROP(02, RegisterRejectsTargetEqualsHeldValue)
FINRIG_INVARIANT_PROP(03, TypeErrorExactlyForBadArguments)
FINRIG_INVARIANT_PROP(04, NoCallbackWhileTargetReachable)
FINRIG_INVARIANT_PROP(05, OneCallbackPerCellWithItsHeldValue)
FINRIG_INVARIANT_PROP(06, CallbacksOnlyFromCleanupJobs)
FINRIG_INVARIANT_PROP(07, UnregisterResultAndReach)
FINRIG_INVARIANT_PROP(08, TokensTargetsWeakHeldValuesStrong)
FINRIG_INVARIANT_PROP(09, CollectedRegistryDeliversNothing)
FINRIG_INVARIANT_PROP(10, WeakRefConsistencyAndKeptAlive)
FINRIG_INVARIANT_PROP(11, ThrowingCallbackLosesNoCell)
FINRIG_INVARIANT_PROP(12, Completeness)

// What the generated programs exercise, as a RapidCheck distribution.
RC_GTEST_PROP(Invariant, CoverageReport, ()) {
  const Program program = *GenProgram();
  TagCoverage(program);
  RC_SUCCEED_IF(true);
}

}  // namespace
}  // namespace finrig::props
