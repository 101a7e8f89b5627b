// One property per invariant of docs/SEMANTICS.md: over generated programs, the model's
// trace never violates it. tests in faults_test.cpp prove each can fail.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "props/generators.h"
#include "props/judge.h"

namespace finrig::props {
namespace {

#define FINRIG_INVARIANT_PROP(Name, N)                        \
  RC_GTEST_PROP(Invariant, Name, ()) {                        \
    const Program program = *GenProgram();                    \
    RequireInvariant(N, program);                             \
  }

FINRIG_INVARIANT_PROP(I01_NoCallbackForUnregisteredCell, 1)
FINRIG_INVARIANT_PROP(I02_RegisterRejectsTargetEqualsHeldValue, 2)
FINRIG_INVARIANT_PROP(I03_TypeErrorExactlyForBadArguments, 3)
FINRIG_INVARIANT_PROP(I04_NoCallbackWhileTargetReachable, 4)
FINRIG_INVARIANT_PROP(I05_OneCallbackPerCellWithItsHeldValue, 5)
FINRIG_INVARIANT_PROP(I06_CallbacksOnlyFromCleanupJobs, 6)
FINRIG_INVARIANT_PROP(I07_UnregisterResultAndReach, 7)
FINRIG_INVARIANT_PROP(I08_TokensTargetsWeakHeldValuesStrong, 8)
FINRIG_INVARIANT_PROP(I09_CollectedRegistryDeliversNothing, 9)
FINRIG_INVARIANT_PROP(I10_WeakRefConsistencyAndKeptAlive, 10)
FINRIG_INVARIANT_PROP(I11_ThrowingCallbackLosesNoCell, 11)
FINRIG_INVARIANT_PROP(I12_Completeness, 12)

// What the generated programs exercise, as a RapidCheck distribution.
RC_GTEST_PROP(Invariant, CoverageReport, ()) {
  const Program program = *GenProgram();
  TagCoverage(program);
  RC_SUCCEED_IF(true);
}

}  // namespace
}  // namespace finrig::props
