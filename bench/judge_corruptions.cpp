// judge_corruptions [--programs N] [--witnesses W]: the judge's miss rate, for
// BENCHMARKS.md (bench/judge.sh). Each look-alike program (seeds 1..N) runs on the model
// playing an engine; each corruption kind (engines/corrupt.h) changes its wire lines once.
// An always-illegal corruption the judge accepts is a miss. A corruption that may be
// legal and is accepted is looked for among W more runs of the same program with other
// choices, then by replaying it on the model (engines/replay.h: a search over every
// choice of the model's host): reproduced, it was legal; impossible, the judge missed it;
// undecided, it is unexplained. Misses and the unexplained are printed, the first few.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engines/corrupt.h"
#include "engines/model_engine.h"
#include "engines/replay.h"
#include "engines/wire.h"
#include "gen/lookalike.h"
#include "model/text.h"

namespace finrig {
namespace {

struct Tally {
  int applied = 0;
  int rejected = 0;
  int witnessed = 0;  // accepted, and some run of the model printed exactly these lines
  int replayed = 0;   // of those, found by the replay's search rather than a random run
  int missed = 0;     // accepted, and no run of the model prints these lines
  int unexplained = 0;
  int refuted = 0;    // of the rejected: by the matching of callbacks to cells alone
  int undecided = 0;  // accepted because the search gave up
};

bool Witnessed(const Program& ran, const std::string& wire, int witnesses) {
  for (int seed = 0; seed < witnesses; ++seed) {
    if (engines::ModelEngine(ran.profile, 1000 + static_cast<std::uint64_t>(seed)).Wire(ran) ==
        wire) {
      return true;
    }
  }
  return false;
}

int Main(int argc, char** argv) {
  CLI::App app{"The judge's misses per corruption kind, over look-alike programs."};
  int programs = 2000;
  int witnesses = 200;
  int show = 3;
  app.add_option("--programs", programs, "look-alike programs (seeds 1..N)");
  app.add_option("--witnesses", witnesses, "runs searched for a legal witness");
  int replayRuns = 20000;
  app.add_option("--replay-runs", replayRuns, "runs of the model the replay may make");
  app.add_option("--show", show, "unexplained cases printed per kind");
  CLI11_PARSE(app, argc, argv);

  int missed = 0;
  fmt::print("| corruption | always illegal | applied | rejected (by the matching) | accepted, "
             "legal (by the replay) | accepted, missed | accepted, unexplained | of the "
             "accepted, undecided |\n|---|---|---|---|---|---|---|---|\n");
  for (const engines::CorruptionFacts& facts : engines::kCorruptions) {
    Tally tally;
    std::vector<std::string> shown;
    for (int seed = 1; seed <= programs; ++seed) {
      const auto test = engines::JudgeCorruptedRun(
          gen::LookalikeProgram(static_cast<std::uint64_t>(seed)), 0, facts.kind);
      if (!test) continue;
      ++tally.applied;
      tally.refuted += test->stats.refuted;
      if (!test->violations.empty()) {
        ++tally.rejected;
      } else if (!facts.alwaysIllegal && Witnessed(test->ran, test->wire, witnesses)) {
        ++tally.witnessed;
      } else {
        const engines::EngineRun run = engines::ReadWire(test->ran, test->wire);
        const engines::Replay replay = engines::ReplayOnModel(
            test->ran, run.trace,
            engines::ReplayOptions{.profile = test->ran.profile, .faults = {}, .partial = run.Partial(), .letter = false, .promised = false,
                                   .maxRuns = replayRuns});
        const bool legal = replay.outcome == engines::Replay::Outcome::Reproduced;
        const bool missed = facts.alwaysIllegal || replay.outcome == engines::Replay::Outcome::Impossible;
        tally.witnessed += legal;
        tally.replayed += legal;
        tally.missed += missed && !legal;
        tally.unexplained += !missed && !legal;
        tally.undecided += !legal && test->stats.undecided;
        if (!legal && static_cast<int>(shown.size()) < show) {
          shown.push_back(fmt::format("lookalike seed {} ({}):\n{}\n-- wire:\n{}", seed,
                                      missed ? "missed" : "unexplained", PrintProgram(test->ran),
                                      test->wire));
        }
      }
    }
    missed += tally.missed;
    fmt::print("| {} | {} | {} | {} ({}) | {} ({}) | {} | {} | {} |\n", facts.name,
               facts.alwaysIllegal ? "yes" : "no", tally.applied, tally.rejected, tally.refuted,
               tally.witnessed, tally.replayed, tally.missed, tally.unexplained, tally.undecided);
    for (const std::string& text : shown) fmt::print(stderr, "== {}: {}\n", facts.name, text);
  }
  return missed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace finrig

int main(int argc, char** argv) { return finrig::Main(argc, argv); }
