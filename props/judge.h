// What every property does with a generated program: run it on the model (faults
// optional), judge the trace with the checker, and fail the RapidCheck case on a
// violation of the invariant under test.
#pragma once

#include <vector>

#include "model/checker.h"
#include "model/faults.h"
#include "model/program.h"

namespace finrig::props {

std::vector<Violation> Judge(const Program& program, FaultSet faults = {});

// RC_FAILs with the violations' messages when the checker reports `invariant` (or a
// trace mismatch, which means model and checker disagree about the program itself).
void RequireInvariant(Invariant invariant, const Program& program, FaultSet faults = {});

// RC_TAGs what the program exercises (op kinds, symbol kinds, callbacks, re-entrancy,
// throws), so a run shows its coverage.
void TagCoverage(const Program& program);

// The names TagCoverage uses, each with whether `program` exercises it.
std::vector<std::pair<std::string, bool>> Coverage(const Program& program);

}  // namespace finrig::props
