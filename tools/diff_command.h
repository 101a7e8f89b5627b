// `finrig diff`: a differential campaign against a real engine (engines/diff.h).
#pragma once

#include <string>
#include <vector>

namespace finrig {

struct DiffCommandOptions {
  std::string engine = "node";
  int programs = 0;          // generated programs (mutants of the corpus), besides the corpus
  unsigned seed = 1;
  std::vector<std::string> corpus;  // .fr files or directories of them
  std::string output = "finrig-diff";
  bool strict = false;
  bool minimize = true;
  std::vector<std::string> faults;  // injected into the model, the oracle
  int timeoutMs = 10000;
  bool quiet = false;
};

// Exit status: 0 no discrepancy, 1 discrepancies (written to options.output), 2 bad input.
int DiffCommand(const DiffCommandOptions& options);

// The engine profiles table, for `finrig engines`.
void PrintEngineProfiles();

}  // namespace finrig
