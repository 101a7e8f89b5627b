// The differential judgement of one program: the engine's run against the model, the
// oracle. Three sources of findings, each said plainly in the report:
//  - the engine: its trace, judged by the checker in acceptor mode (any allowed choice
//    of what to collect when and how to clean up passes), and crashes, hangs, errors;
//  - finrig: the model's own run of the program, judged strictly (a faulty model must
//    not pass for an oracle);
//  - a disagreement: the engine's trace, which the checker accepts, is one no choice
//    of the model's host makes the model produce (engines/replay.h), from the first
//    event no run of the model gets past. When the checker rejects the engine's trace
//    or the replay's search gives up, the walk of both traces in step that came before
//    the replay stands in: an op whose result does not depend on the engine's choices
//    came out differently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/profiles.h"
#include "engines/replay.h"
#include "engines/wire.h"
#include "model/checker.h"
#include "model/faults.h"
#include "model/invariant.h"
#include "model/program.h"
#include "model/trace.h"

namespace finrig::engines {

struct DiffOptions {
  Profile profile = Profile::Es2023;  // the engine's (its EngineProfile's)
  FaultSet modelFaults;               // injected into the oracle, to show the diff has teeth
  // Completeness: the program was given settling ops (WithSettle) and every cell whose
  // target nothing reaches must have been delivered by its end. The replay also takes
  // the engine's top-level full gc ops to collect everything nothing reaches
  // (ReplayOptions::promised).
  bool strict = false;
  // CheckOptions::letter: a job re-posted after a throw is a finding.
  bool letter = false;
  // ReplayOptions::maxRuns for the replay of an accepted trace on the model; 0: none.
  int replayRuns = ReplayOptions{}.maxRuns;
  // CheckOptions::maxRuns for the judgement of the engine's trace; 0: no limit.
  int searchRuns = CheckOptions{}.maxRuns;
};

struct Finding {
  enum class Source { Engine, Model, Disagreement };
  Source source;
  std::string message;
  // What it is, without where: "invariant 4 at turn", "crashed", "stalled", "disagree at
  // register". A minimized program shows the same finding when source and this agree
  // (line numbers and values change as it shrinks).
  std::string kind;
  // The rule and the op it is about, when the checker names them (a report quotes the
  // rule, engines/repro.h); the op by its path in the program judged (OpPaths).
  std::optional<Invariant> invariant = std::nullopt;
  std::string op = {};

  bool SameAs(const Finding& other) const { return source == other.source && kind == other.kind; }
};
std::string_view SourceName(Finding::Source source);  // "engine", "finrig", "disagree"

struct DiffResult {
  Trace model;
  std::vector<Finding> findings;
  // The judgement of the engine's trace gave up its search (CheckStats::undecided):
  // what depends on the hidden choices was not judged.
  bool undecided = false;
  // The engine's trace replayed on the model, when the checker accepted it.
  std::optional<Replay> replay;
};

// `program` is what the engine ran (Approximate()'s result, WithSettle()'s with --strict).
DiffResult Diff(const Program& program, const EngineRun& engine, const DiffOptions& options);

// The program followed by a full gc and three turns: time for an engine to deliver
// what it owes before --strict judges completeness.
Program WithSettle(Program program);

}  // namespace finrig::engines
