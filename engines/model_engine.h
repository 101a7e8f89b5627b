// finrig's own model as an engine under test: each program runs with a RandomHost, so
// any choice ECMA-262 leaves to an engine may be made (what a gc takes, collections at
// any time, jobs enqueued or not, merged, run in any order, cells in any order, early
// stops, a job re-posted after a throw), and the trace is reduced to what an engine
// prints (WriteWire) and read back as an engine's (ReadWire). The judgement must accept
// every such run: `finrig diff --engine model` is the checker's self-test, and any
// finding it makes is a bug of finrig. Faults injected here make a broken "engine"
// whose runs the judgement must reject.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engines/corrupt.h"
#include "engines/engine.h"
#include "model/checker.h"
#include "model/faults.h"

namespace finrig::engines {

class ModelEngine final : public Engine {
 public:
  // A program's choices are a function of (seed, the program's binary form): a rerun
  // of the same program makes the same choices.
  // `complete`: deliver everything owed (model::RandomHost's complete mode), for --strict.
  // `repost`: may re-post a job after a throw, as the model profile declares.
  ModelEngine(Profile profile, std::uint64_t seed, FaultSet faults = {}, bool complete = false,
              bool repost = true)
      : profile_(profile), seed_(seed), faults_(faults), complete_(complete), repost_(repost) {}

  std::vector<EngineRun> Run(const std::vector<const Program*>& programs) override;
  // The lines the run of `program` prints (docs/WIRE.md).
  std::string Wire(const Program& program) const;

 private:
  Profile profile_;
  std::uint64_t seed_;
  FaultSet faults_;
  bool complete_;
  bool repost_;
};

// One run of the self-test, as acceptor_fuzzer and the Judge properties make it:
// `program` as an engine runs it (approximated, and with the settling ops when
// `complete`), on a ModelEngine, judged as an engine's trace (with --strict when
// `complete`; by the letter of ECMA-262, from an engine that never re-posts a job, when
// `letter`). Any violation is a false alarm, unless `faults` broke the engine.
struct SelfTestRun {
  Program ran;
  EngineRun run;
  std::vector<Violation> violations;
};
SelfTestRun JudgeModelAsEngine(const Program& program, std::uint64_t seed, bool complete,
                               FaultSet faults = {}, bool letter = false);

// A run of the self-test with `kind` corrupting the engine's lines (acceptor mode, not
// complete), or nullopt where that run offers no place for it. For an always-illegal
// kind, no violation means the judge missed it.
struct CorruptedRun {
  Program ran;
  std::string wire;  // the corrupted lines
  std::vector<Violation> violations;
  CheckStats stats;  // how the judgement got there: refuted by the matching, undecided
};
std::optional<CorruptedRun> JudgeCorruptedRun(const Program& program, std::uint64_t seed,
                                              Corruption kind);

}  // namespace finrig::engines
