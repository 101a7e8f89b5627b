// Helpers shared by the unit tests: reading programs from the source tree and
// summarising checker verdicts.
#pragma once

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/checker.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::testing {

// An op as the parser would build it, for programs written in code.
inline Op MakeOp(OpKind kind, std::optional<Handle> dest = std::nullopt,
                 std::vector<Operand> args = {}) {
  return Op{.kind = kind, .dest = dest, .args = std::move(args)};
}

inline Program LoadSourceProgram(const std::string& relativePath) {
  const std::string path = std::string(FINRIG_SOURCE_DIR) + "/" + relativePath;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return ParseProgram(contents.str(), path);
}

inline std::vector<Violation> RunAndCheck(const Program& program, FaultSet faults = {}) {
  return CheckTrace(program, RunProgram(program, faults),
                    CheckOptions{.profile = program.profile, .strict = true});
}

inline bool Reports(const std::vector<Violation>& violations, Invariant invariant) {
  return std::any_of(violations.begin(), violations.end(),
                     [&](const Violation& v) { return v.invariant == invariant; });
}

// One line per violation, for failure messages.
inline std::string Describe(const std::vector<Violation>& violations) {
  std::string out;
  for (const Violation& v : violations) out += FormatViolation(v) + "\n";
  return out;
}

}  // namespace finrig::testing
