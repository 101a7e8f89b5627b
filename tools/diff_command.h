// `finrig diff`: options in, a differential campaign (engines/campaign.h) run, its
// discrepancies written and summed up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engines/campaign.h"
#include "engines/profiles.h"

namespace finrig {

// What `diff` and `campaign` share: the programs, how each is judged, how engines run.
struct ProgramOptions {
  int programs = 0;          // generated programs, besides the corpus
  std::string generator = "mutants";  // of the corpus, or "lookalike" (gen/lookalike.h)
  unsigned seed = 1;
  std::vector<std::string> corpus;  // .fr files or directories of them
  bool strict = false;
  bool letter = false;  // report a job re-posted after a throw even where the profile declares it
  bool minimize = true;
  int reduceAlike = 3;  // CampaignOptions::reduceAlike
  std::vector<std::string> faults;  // injected into the model, the oracle
  std::vector<std::string> engineFaults;  // injected into --engine model, the engine
  int timeoutMs = 10000;
  int workers = 1;  // engine processes at once (ShellOptions::workers)
  int replayRuns = engines::DiffOptions{}.replayRuns;
  int searchRuns = engines::DiffOptions{}.searchRuns;
  bool quiet = false;
};

struct DiffCommandOptions : ProgramOptions {
  std::string engine = "node";
  std::string output = "finrig-diff";
};

// The pieces of a campaign, from the options; each throws InputError for bad input.
engines::EngineChoice ChooseEngine(const std::string& spec);
std::vector<engines::Source> LoadCorpus(const ProgramOptions& options);
engines::CampaignOptions CampaignOptionsFor(const ProgramOptions& options,
                                            const engines::EngineChoice& choice);
std::unique_ptr<engines::Engine> StartEngine(const ProgramOptions& options,
                                             const engines::EngineChoice& choice);
// Writes the discrepancy's files (engines::Artifacts) to `directory`; answers the paths of
// its report: the minimized program first, then its repro and test262 test.
std::vector<std::string> WriteDiscrepancy(const engines::Discrepancy& discrepancy,
                                          const std::string& directory);

// Exit status: 0 no discrepancy, 1 discrepancies (written to options.output), 2 bad input.
int DiffCommand(const DiffCommandOptions& options);

// `finrig check`: judge a trace recorded from an engine (the wire format, docs/WIRE.md)
// as `finrig diff` judges the traces it records itself.
struct CheckCommandOptions {
  std::string program;  // .fr: what the engine ran (finrig js's input)
  std::string trace;    // the engine's output
  std::string profile;  // es2021 | es2023; default: the program's
  bool strict = false;  // completeness: the program ends with a full gc and turns
  bool letter = false;  // a job re-posted after a throw is a finding
  int searchRuns = engines::DiffOptions{}.searchRuns;
  std::string report;   // a directory for the first finding's repro files; empty: none
};
// Exit status: 0 accepted, 1 findings, 2 bad input.
int CheckCommand(const CheckCommandOptions& options);

// The engine profiles table, for `finrig engines`.
void PrintEngineProfiles();

}  // namespace finrig
