// Upstream-ready reports of a finding, for the people who build the engine: a
// standalone JavaScript repro that needs nothing from finrig (it runs the program's ops
// as plain JS on the shell's own collector and timers, prints "expected X, got Y" per
// check and ends with PASS or FAIL), and, where the behaviour is one ECMA-262 requires
// of every engine whatever its host collects, a test262 test (engines/test262.h).
#pragma once

#include <string>
#include <vector>

#include "engines/diff.h"
#include "model/program.h"

namespace finrig::engines {

struct ReproCase {
  std::string name;        // the files' stem: NAME.js, NAME.fr, NAME.test262.js
  Program program;         // what the engine ran (its runnable form, settling ops included)
  Finding finding;         // what it showed, judged on `program`
  std::vector<std::string> seen;  // where and how often it was seen, one line each
};

// Why no test262 test can catch the finding, or "" when one does: a test asserts only
// what every engine must do (the results before the program's first gc or turn, the
// TypeErrors, no callback during an op), and refuses a throwing callback.
std::string WhyNotMandatory(const Program& program, const Finding& finding);

// The standalone repro. Its checks: always what every engine must do (the results no
// choice can change, no callback during the program's synchronous ops, the program
// reaching its end, no exception reaching the host but the program's own); and where
// the finding is beyond them, what it is about: for a stall, that cleanup still runs
// for a fresh registry; otherwise every op's result and each turn's callbacks as the
// model gives them with a full collection and prompt cleanup. A host that lacks what
// the program needs (a collector, timers) fails it.
std::string EmitRepro(const ReproCase& repro);

// A file of a finding's report, to be written.
struct Artifact {
  std::string path;
  std::string contents;
  bool report = false;  // one of what a report links: program, repro, test262 test
};
// In `directory`: NAME.js, and where the finding is mandatory (WhyNotMandatory),
// NAME.test262.js of `test262` (the program without settling ops) and the harness file
// it includes, harness/finrigRuntime.js.
std::vector<Artifact> ReproFiles(const ReproCase& repro, const Program& test262,
                                 const std::string& directory);

}  // namespace finrig::engines
