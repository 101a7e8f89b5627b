// An engine's trace replayed on the model: a search over every choice the model asks
// of its host (model/host.h) for a run whose trace, seen as an engine's is seen (ops'
// results and callbacks; no collections, no job boundaries), is the engine's. The
// checker says whether some legal choices explain a trace; this says whether the model,
// as built, can produce it. When the checker accepts an engine's trace and no run of
// the model reproduces it, the model and the engine differ for real from the first
// event that no run gets past, whatever the engine chose (engines/diff.h: `disagree`).
//
// The search re-runs the model from the start with a longer prefix of recorded choices
// each time, depth first, cuts a run at the first event that leaves the engine's
// trace, and remembers the model's states from which every option failed
// (model/search.h). Only collections something can observe are offered: at each point,
// nothing, or for one value that a WeakRef or a cell targets, the least collection
// that takes it (with what would keep it alive by surviving). Several values that die
// at one point die one after another at the next points, with no observation between
// that could tell. The first option of every choice is the lazy one (collect nothing,
// enqueue one job, run the oldest job, deliver the oldest cell), so a value dies where
// an observation first needs it dead.
#pragma once

#include <cstddef>
#include <string>

#include "model/faults.h"
#include "model/program.h"
#include "model/trace.h"

namespace finrig::engines {

struct ReplayOptions {
  Profile profile = Profile::Es2023;
  FaultSet faults;       // injected into the model
  bool partial = false;  // the engine's trace is a prefix: reproducing it is enough
  bool letter = false;   // no job re-posted after a throw (CheckOptions::letter)
  // What `finrig diff --strict` holds an engine to: its top-level full `gc` ops collect
  // every value nothing reaches (registries aside: an engine may keep one), every
  // collection that empties cells enqueues a job, and by the end every job has run and
  // every cell owed a callback had it (as CheckOptions::completeAtEnd, on the model's
  // run). Without it an engine may keep what it likes and put off every job, and so may
  // the model: a model that collects or delivers too much never shows.
  bool promised = false;
  int maxRuns = 1000;    // runs of the model before the search stops undecided
};

struct Replay {
  enum class Outcome {
    Reproduced,  // some choices make the model's run the engine's
    Impossible,  // no choice does
    Undecided,   // the search stopped at maxRuns first
  };
  Outcome outcome = Outcome::Undecided;
  int runs = 0;
  // Impossible: where the runs that went furthest stopped matching.
  std::size_t matched = 0;  // observable events of the engine's trace they all matched
  const Op* op = nullptr;   // the top-level op the engine was in there (none at the end)
  std::string engineEvent;  // the engine's next event, or "the end of the run"
  std::string modelEvents;  // what the closest runs did instead, at most a few kinds
};

Replay ReplayOnModel(const Program& program, const Trace& engine, const ReplayOptions& options);

}  // namespace finrig::engines
