// RapidCheck generators of finrig programs that are interesting rather than merely
// random: few handles (so values get reused and shared), registrations whose targets
// are reached through heldValues and links, tokens shared across cells and registries,
// partial and full gcs, turns with chosen jobs, cell order and early stops, re-entrant
// and throwing callbacks, both profiles, and bad arguments of every kind in every
// position. Programs shrink by dropping ops and simplifying each op's parts.
#pragma once

#include <ostream>

#include <rapidcheck.h>

#include "model/program.h"

namespace finrig {

// RapidCheck prints counterexamples with this: canonical .fr text, ready to save in
// corpus/regressions/.
void showValue(const Program& program, std::ostream& os);

namespace props {

struct GenOptions {
  bool bodies = true;        // registries with callback bodies (re-entrancy, throw)
  bool partialGc = true;     // `gc @id ...`
  bool turnOptions = true;   // `turn jobs ... order ... limit ...`
  bool literals = true;      // literal operands (primitives, registered and well-known symbols)
  bool scenarios = true;     // gen/scenarios.h's op sequences among the program's ops
  bool swarm = true;         // each program leaves some op kinds out (swarm testing)
  int firstHandle = 0;       // handles used: h<firstHandle> .. h<firstHandle + handleCount - 1>
  int handleCount = 6;  // at least 4: two usually hold registries, the last a WeakRef
};

rc::Gen<Program> GenProgram(GenOptions options = {});

// Any op list made valid the way the binary form makes every byte string valid (a use
// of a handle not yet assigned is redirected to one that is, `held` outside bodies
// becomes undefined, ...): so any subsequence of a valid program's ops, which is what
// shrinking tries, is again a program.
Program MakeValid(const Program& program);

}  // namespace props
}  // namespace finrig
