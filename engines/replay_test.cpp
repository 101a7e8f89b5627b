// Replaying engine traces on the model: every trace the model makes as an engine
// replays, a model with a fault that shows cannot replay a correct engine's trace, and
// the report says where the two part.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engines/diff.h"
#include "engines/js.h"
#include "engines/model_engine.h"
#include "engines/replay.h"
#include "engines/wire.h"
#include "model/host.h"
#include "model/model.h"
#include "model/test_support.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

Replay ReplayWire(const Program& program, std::string_view wire, FaultSet faults = {},
                  int maxRuns = 1000, bool promised = false) {
  const EngineRun run = ReadWire(program, wire);
  return ReplayOnModel(program, run.trace,
                       ReplayOptions{.profile = program.profile,
                                     .faults = faults,
                                     .partial = run.Partial(),
                                     .promised = promised,
                                     .maxRuns = maxRuns});
}

FaultSet Only(Fault fault) {
  FaultSet faults;
  faults.Add(fault);
  return faults;
}

// Links, WeakRefs, throws, tokens, callbacks that unregister, register and collect:
// the model as an engine makes any legal choice, and the replay must find one that
// gives the same trace.
constexpr std::string_view kPrograms[] = {
    "h0 = registry {\n  throw\n}\nh1 = object\nh2 = object\nlink h1 h2\n"
    "register h0 h1 h1\nh3 = weakref h1\nregister h0 h2 \"b\"\ndrop h1\ndrop h2\n"
    "turn\ngc\nturn\ngc\nderef h3\nturn\nturn\n",
    "h4 = object\nh0 = registry {\n  unregister h0 h4\n}\nh1 = object\nh2 = object\nh3 = object\n"
    "register h0 h1 \"a\" h4\nregister h0 h2 \"a\" h4\nregister h0 h3 \"a\"\n"
    "h5 = weakref h2\ndrop h1\ndrop h2\ndrop h3\nturn\ngc\nturn\nderef h5\nturn\n",
    "h0 = registry {\n  h6 = object\n  register h0 h6 \"again\"\n  gc\n}\nh1 = registry\n"
    "h2 = object\nh3 = object\nregister h0 h2 \"x\"\nregister h1 h2 \"y\" h3\n"
    "register h1 h3 \"z\"\ndrop h2\nturn\ngc\nunregister h1 h3\nturn\ndrop h3\ngc\nturn\n",
};

TEST(Replay, EveryTraceTheModelMakesAsAnEngineReplays) {
  for (std::string_view text : kPrograms) {
    const Program program = Approximate(ParseProgram(text)).program;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const std::string wire = ModelEngine(program.profile, seed).Wire(program);
      const Replay replay = ReplayWire(program, wire);
      ASSERT_EQ(replay.outcome, Replay::Outcome::Reproduced)
          << "seed " << seed << "\n" << PrintProgram(program) << wire << replay.engineEvent
          << "\nmodel: " << replay.modelEvents;
    }
  }
}

// The same with what --strict holds an engine to: the model as an engine that collects
// all it can at a gc and delivers all it owes.
TEST(Replay, EveryCompleteTraceTheModelMakesReplaysAsPromised) {
  for (std::string_view text : kPrograms) {
    const Program program = WithSettle(Approximate(ParseProgram(text)).program);
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const std::string wire = ModelEngine(program.profile, seed, {}, true).Wire(program);
      const Replay replay = ReplayWire(program, wire, {}, 1000, true);
      ASSERT_EQ(replay.outcome, Replay::Outcome::Reproduced)
          << "seed " << seed << "\n" << PrintProgram(program) << wire << replay.engineEvent
          << "\nmodel: " << replay.modelEvents;
    }
  }
}

// A model that takes too much may keep it from view by collecting nothing, or by never
// running the job, unless the engine promised to collect everything at a gc and to
// deliver what it owes.
TEST(Replay, WhatAnEngineIsHeldToShowsAModelThatTakesTooMuch) {
  const Program linked = WithSettle(ParseProgram(
      "h0 = object\nh1 = object\nlink h0 h1\nh2 = registry\nregister h2 h1 \"x\"\n"
      "drop h1\ngc\nturn\n"));
  const std::string wire = ModelEngine(linked.profile, 1, {}, true).Wire(linked);
  const FaultSet faults = Only(Fault::CallbackWhileReachable);
  EXPECT_EQ(ReplayWire(linked, wire, faults).outcome, Replay::Outcome::Reproduced);
  const Replay held = ReplayWire(linked, wire, faults, 1000, true);
  EXPECT_EQ(held.outcome, Replay::Outcome::Impossible);
  EXPECT_EQ(held.engineEvent, "the end of the run");
  EXPECT_NE(held.modelEvents.find("the end, with cleanup still owed"), std::string::npos)
      << held.modelEvents;

  // Deref's answer tells at once.
  const Program kept = ParseProgram("h0 = object\nh1 = weakref h0\ndrop h0\ngc\nderef h1\n");
  const std::string_view keptWire =
      "op 0 @0\nop 1 @1\nop 2 undefined\nop 3 undefined\nop 4 @0\nend\n";
  EXPECT_EQ(ReplayWire(kept, keptWire, Only(Fault::KeptAliveIgnored)).outcome,
            Replay::Outcome::Reproduced);
  EXPECT_EQ(ReplayWire(kept, keptWire, Only(Fault::KeptAliveIgnored), 1000, true).outcome,
            Replay::Outcome::Impossible);
}

// A value that a surviving object reaches dies only with it: a collection of one
// value at a time could not give this trace, where both die in the turn.
TEST(Replay, CollectsWhatMustDieTogetherInOneCollection) {
  const Program program = ParseProgram(kPrograms[0]);
  const Replay replay = ReplayWire(program,
                                   "op 0 @0\nop 1 @1\nop 2 @2\nop 3 undefined\nop 4 TypeError\n"
                                   "op 5 @3\nop 6 undefined\nop 7 undefined\nop 8 undefined\n"
                                   "cb @0 \"b\"\nop 0.0 throw\nthrew\nop 9 undefined\n"
                                   "op 10 undefined\nop 11 undefined\nop 12 undefined\n"
                                   "op 13 undefined\nop 14 undefined\nop 15 undefined\nend\n");
  EXPECT_EQ(replay.outcome, Replay::Outcome::Reproduced);
}

// Found by diff --engine spidermonkey --strict (generated-4-1189): two unreachable
// registries, each with a cell for one target, both kept by SpiderMonkey while that
// target lived and both called back when it died. The replay, held to a full gc taking
// everything but such registries, could keep one of them and not both: it decides each
// registry before collecting any, and its memory of failed states took "collect the
// first, then the second?" for "keep the first, then the second?".
TEST(Replay, EveryRegistryAFullGcMayKeepIsItsOwnChoice) {
  const Program program = WithSettle(ParseProgram(
      "# profile: es2021\nh0 = registry {\n  throw\n}\nh1 = object\nregister h0 h1 \"x\"\n"
      "h0 = registry {\n  throw\n}\nregister h0 h1 \"x\"\nh0 = object\ngc\nturn\ndrop h1\n"
      "gc\nturn\nturn\n"));
  const Replay replay = ReplayWire(
      program,
      "op 0 @0\nop 1 @1\nop 2 undefined\nop 3 @2\nop 4 undefined\nop 5 @3\nop 6 undefined\n"
      "op 7 undefined\nop 8 undefined\nop 9 undefined\ncb @0 \"x\"\nop 0.0 throw\nthrew\n"
      "cb @2 \"x\"\nop 3.0 throw\nthrew\nop 10 undefined\nop 11 undefined\nop 12 undefined\n"
      "op 13 undefined\nop 14 undefined\nop 15 undefined\nend\n",
      {}, 1000, true);
  EXPECT_EQ(replay.outcome, Replay::Outcome::Reproduced)
      << replay.engineEvent << " / " << replay.modelEvents;
}

// One cell delivered once, and its token then removes nothing: node's trace.
constexpr std::string_view kDeliveredOnce =
    "h0 = registry\nh1 = object\nregister h0 h1 \"x\" h0\ndrop h1\ngc\nturn\nturn\n"
    "unregister h0 h0\n";
constexpr std::string_view kDeliveredOnceWire =
    "op 0 @0\nop 1 @1\nop 2 undefined\nop 3 undefined\nop 4 undefined\ncb @0 \"x\"\nret\n"
    "op 5 undefined\nop 6 undefined\nop 7 false\nend\n";

// Correct engines' traces (node's, for these two) that a model with the fault cannot
// make, whatever it chooses: the fault shows by comparison alone.
TEST(Replay, AModelWithAFaultCannotReplayWhatACorrectEngineDid) {
  // A second callback for the one cell.
  const Program once = ParseProgram(kDeliveredOnce);
  EXPECT_EQ(ReplayWire(once, kDeliveredOnceWire).outcome, Replay::Outcome::Reproduced);
  const Replay twice = ReplayWire(once, kDeliveredOnceWire, Only(Fault::DoubleDelivery));
  EXPECT_EQ(twice.outcome, Replay::Outcome::Impossible);
  ASSERT_NE(twice.op, nullptr);
  EXPECT_EQ(twice.op->line, 6);  // the first turn: its job calls back twice
  EXPECT_EQ(twice.engineEvent, "`turn` (op 5) gives undefined");
  EXPECT_EQ(twice.modelEvents, "a callback @0(\"x\")");

  // A WeakRef that answers after its target was collected.
  const Program cleared = ParseProgram(
      "h0 = registry\nh1 = object\nregister h0 h1 \"x\"\nh2 = weakref h1\ndrop h1\nturn\ngc\n"
      "deref h2\nturn\n");
  const std::string_view clearedWire =
      "op 0 @0\nop 1 @1\nop 2 undefined\nop 3 @2\nop 4 undefined\nop 5 undefined\n"
      "op 6 undefined\nop 7 undefined\ncb @0 \"x\"\nret\nop 8 undefined\nend\n";
  EXPECT_EQ(ReplayWire(cleared, clearedWire).outcome, Replay::Outcome::Reproduced);
  EXPECT_EQ(ReplayWire(cleared, clearedWire, Only(Fault::WeakRefNotCleared)).outcome,
            Replay::Outcome::Impossible);
}

// corpus/faults/compare/throw-drops-cells.fr: two dead targets, a callback that throws,
// then both tokens unregistered. What node's turn ran depends on its timing (its
// re-posted job may run in the turn or after it; CI saw both), and which cell comes
// first is its choice: the fault must show in each.
TEST(Replay, AThrowThatDropsCellsShowsWhicheverCallbacksTheTurnRan) {
  const Program program = testing::LoadSourceProgram("corpus/faults/compare/throw-drops-cells.fr");
  const std::string head =
      "op 0 @0\nop 1 @1\nop 2 @2\nop 3 @3\nop 4 @4\nop 5 undefined\nop 6 undefined\n"
      "op 7 @5\nop 8 @6\nop 9 undefined\nop 10 undefined\nop 11 undefined\n"
      "op 12 undefined\nop 13 undefined\nop 14 undefined\n";
  const auto callback = [](std::string_view held) {
    return fmt::format("cb @0 \"{}\"\nop 0.0 throw\nthrew\n", held);
  };
  const std::string bothRan = head + callback("b") + callback("a") +
                              "op 15 undefined\nop 16 false\nop 17 false\nend\n";
  const std::string onlyB =
      head + callback("b") + "op 15 undefined\nop 16 true\nop 17 false\nend\n";
  const std::string onlyA =
      head + callback("a") + "op 15 undefined\nop 16 false\nop 17 true\nend\n";
  for (const std::string& wire : {bothRan, onlyB, onlyA}) {
    EXPECT_EQ(ReplayWire(program, wire).outcome, Replay::Outcome::Reproduced) << wire;
    EXPECT_EQ(ReplayWire(program, wire, Only(Fault::ThrowDropsCells)).outcome,
              Replay::Outcome::Impossible)
        << wire;
  }
}

TEST(Replay, APrefixReplaysAsFarAsItGoes) {
  const Program program = ParseProgram("h0 = object\nh1 = weakref h0\ndrop h0\nturn\nderef h1\n");
  EXPECT_EQ(ReplayWire(program, "op 0 @0\nop 1 @1\nop 2 undefined\n").outcome,
            Replay::Outcome::Reproduced);
  // The same prefix with an answer no choice gives.
  EXPECT_EQ(ReplayWire(program, "op 0 @0\nop 1 @0\n").outcome, Replay::Outcome::Impossible);
}

// The first run, lazy, delivers once, which the model with the fault cannot do; the
// search would need other runs to know that no choice can.
TEST(Replay, StopsUndecidedAtItsBudget) {
  const Replay replay = ReplayWire(ParseProgram(kDeliveredOnce), kDeliveredOnceWire,
                                   Only(Fault::DoubleDelivery), 1);
  EXPECT_EQ(replay.outcome, Replay::Outcome::Undecided);
  EXPECT_EQ(replay.runs, 1);
}

// Diff reports the replay's verdict as a disagreement, where the walk in step it
// replaces saw none: it stops at a turn whose callbacks differ, as they may by choice.
TEST(Replay, DiffBlamesTheComparisonWhenTheModelCannotReplay) {
  const Program program = ParseProgram(kDeliveredOnce);
  const EngineRun run = ReadWire(program, kDeliveredOnceWire);
  const DiffResult clean = Diff(program, run, DiffOptions{});
  EXPECT_TRUE(clean.findings.empty());
  ASSERT_TRUE(clean.replay.has_value());
  EXPECT_EQ(clean.replay->outcome, Replay::Outcome::Reproduced);

  const DiffResult faulty = Diff(program, run, DiffOptions{.modelFaults = Only(Fault::DoubleDelivery)});
  const auto disagree = std::find_if(faulty.findings.begin(), faulty.findings.end(), [](const Finding& f) {
    return f.source == Finding::Source::Disagreement;
  });
  ASSERT_NE(disagree, faulty.findings.end());
  EXPECT_EQ(disagree->kind, "disagree at turn");
  EXPECT_NE(disagree->message.find("line 6: the engine's trace goes on with `turn` (op 5) gives "
                                   "undefined; no choice the model can make produces that: its "
                                   "closest runs give a callback @0(\"x\")"),
            std::string::npos)
      << disagree->message;
}

}  // namespace
}  // namespace finrig::engines
