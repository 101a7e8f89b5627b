// The checker judges traces the model did not produce: an engine may collect less,
// later, or in another order, and must still be judged right; a trace that breaks an
// invariant must be caught whoever wrote it.
#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "model/test_support.h"

namespace finrig {
namespace {

constexpr CheckOptions kEngine{.profile = Profile::Es2023, .strict = false};

const char* const kTwoCells = R"(# profile: es2023
h0 = registry
h1 = object
h2 = object
register h0 h1 "a" h1
register h0 h2 "b"
drop h1
drop h2
gc
turn
)";

using testing::Reports;

// The model's trace of `text`, with `edit` applied to its events.
template <class Edit>
std::vector<Violation> CheckEdited(const std::string& text, Edit edit,
                                   const CheckOptions& options = kEngine) {
  const Program program = ParseProgram(text);
  Trace trace = RunProgram(program);
  edit(trace.events);
  return CheckTrace(program, trace, options);
}

std::vector<Event>::iterator FindCallback(std::vector<Event>& events, const char* held) {
  return std::find_if(events.begin(), events.end(), [&](const Event& e) {
    const auto* call = std::get_if<CallbackBegin>(&e);
    return call && SameValue(call->held, String{held});
  });
}

TEST(Checker, AcceptsTheModel) {
  const Program program = ParseProgram(kTwoCells);
  EXPECT_TRUE(testing::RunAndCheck(program).empty());
}

TEST(Checker, AcceptsAnEngineThatNeverCollects) {
  // No collection report, no job, no callback: allowed (completeness is strict-only).
  const auto violations = CheckEdited(R"(h0 = registry
h1 = object
register h0 h1 "a"
drop h1
gc
turn
)", [](std::vector<Event>& events) {
    std::erase_if(events, [](const Event& e) { return !std::holds_alternative<OpDone>(e); });
  });
  EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
}

TEST(Checker, AcceptsAnotherCleanupOrder) {
  const auto violations = CheckEdited(R"(h0 = registry
h1 = object
h2 = object
register h0 h1 "a"
register h0 h2 "b"
drop h1
drop h2
gc
turn
)", [](std::vector<Event>& events) {
    // Swap the two callbacks (each is CallbackBegin, CallbackEnd).
    std::iter_swap(FindCallback(events, "a"), FindCallback(events, "b"));
  });
  EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
}

TEST(Checker, CatchesACallbackForAReachableTarget) {
  // Pretend the engine called back for "b" whose target h2 is still held.
  const auto violations = CheckEdited(R"(h0 = registry
h1 = object
h2 = object
register h0 h1 "a"
register h0 h2 "b"
drop h1
gc
turn
)", [](std::vector<Event>& events) {
    std::get<CallbackBegin>(*FindCallback(events, "a")).held = String{"b"};
  });
  EXPECT_TRUE(Reports(violations, Invariant::NoCallbackWhileTargetReachable))
      << testing::Describe(violations);
}

// The registry's callback closes over its target: a callback for it (or a collection
// of it) is one while the target is reachable, through the captures.
TEST(Checker, CatchesACallbackForATargetTheCallbackCaptures) {
  const Program program = ParseProgram(R"(h0 = object
h1 = registry captures h0
register h1 h0 "x"
drop h0
gc
turn
)");
  FaultSet faults;
  faults.Add(Fault::CapturesIgnored);
  const Trace trace = RunProgram(program, faults);
  const auto strict = CheckTrace(program, trace, CheckOptions{});
  EXPECT_TRUE(Reports(strict, Invariant::NoCallbackWhileTargetReachable))
      << testing::Describe(strict);
  Trace unreported;  // as an engine's trace reads: no collection reports
  for (const Event& e : trace.events) {
    if (!std::holds_alternative<Collected>(e)) unreported.events.push_back(e);
  }
  const auto engine = CheckTrace(program, unreported, kEngine);
  ASSERT_TRUE(Reports(engine, Invariant::NoCallbackWhileTargetReachable))
      << testing::Describe(engine);
  EXPECT_NE(engine.front().message.find("via h1 -> @1 callback -> @0"), std::string::npos)
      << engine.front().message;
  EXPECT_TRUE(CheckTrace(program, RunProgram(program), kEngine).empty());
}

// The constructor checks IsCallable (step 2) before it reads NewTarget.prototype (step
// 3): an engine that reads it first throws the getter's error, which is invariant 3.
TEST(Checker, CatchesAConstructorThatReadsThePrototypeBeforeCheckingTheCallback) {
  const char* const text = R"(h0 = registry newtarget throwing callback 1
h1 = registry newtarget throwing
h2 = registry newtarget undefined
)";
  EXPECT_TRUE(CheckEdited(text, [](std::vector<Event>&) {}).empty());
  const auto prototypeFirst = CheckEdited(text, [](std::vector<Event>& events) {
    std::get<OpDone>(events.at(0)).result = Completion::NewTargetError();
  });
  EXPECT_TRUE(Reports(prototypeFirst, Invariant::TypeErrorExactlyForBadArguments))
      << testing::Describe(prototypeFirst);
  const auto noGetterError = CheckEdited(text, [](std::vector<Event>& events) {
    std::get<OpDone>(events.at(1)).result = Completion::TypeError();
  });
  EXPECT_TRUE(Reports(noGetterError, Invariant::TypeErrorExactlyForBadArguments))
      << testing::Describe(noGetterError);
  FaultSet faults;
  faults.Add(Fault::PrototypeBeforeCallable);
  const Program program = ParseProgram(text);
  EXPECT_TRUE(Reports(CheckTrace(program, RunProgram(program, faults), CheckOptions{}),
                      Invariant::TypeErrorExactlyForBadArguments));
}

// Nothing legal is rejected: the captures keep only what they reach, and once the
// registry dies they keep nothing, so an engine may collect the target with it.
TEST(Checker, AcceptsACapturedTargetDyingWithItsRegistry) {
  const Program program = ParseProgram(R"(h0 = object
h1 = object
h2 = registry captures h1
register h2 h0 "x"
drop h0
drop h1
gc
turn
drop h2
gc
turn
)");
  EXPECT_TRUE(CheckTrace(program, RunProgram(program), CheckOptions{}).empty());
  EXPECT_TRUE(CheckTrace(program, RunProgram(program), kEngine).empty());
}

TEST(Checker, CatchesAHeldValueNoCellHas) {
  const auto violations = CheckEdited(R"(h0 = registry
h1 = object
register h0 h1 "a"
drop h1
gc
turn
)", [](std::vector<Event>& events) {
    std::get<CallbackBegin>(*FindCallback(events, "a")).held = String{"z"};
  });
  EXPECT_TRUE(Reports(violations, Invariant::OneCallbackPerCellWithItsHeldValue))
      << testing::Describe(violations);
}

TEST(Checker, CatchesAWrongUnregisterResult) {
  const auto violations = CheckEdited(R"(h0 = registry
h1 = object
register h0 h1 "a" h1
unregister h0 h1
)", [](std::vector<Event>& events) { std::get<OpDone>(events.back()).result.value = false; });
  EXPECT_TRUE(Reports(violations, Invariant::UnregisterResultAndReach))
      << testing::Describe(violations);
}

TEST(Checker, CatchesAMissingTypeError) {
  const auto violations = CheckEdited(R"(h0 = registry
register h0 1 "a"
)", [](std::vector<Event>& events) {
    std::get<OpDone>(events.back()).result = Completion::Normal();
  });
  EXPECT_TRUE(Reports(violations, Invariant::TypeErrorExactlyForBadArguments))
      << testing::Describe(violations);
}

TEST(Checker, CatchesADerefOfACollectedTarget) {
  // A callback proves the target dead; a later deref must not hand it out.
  const auto violations = CheckEdited(R"(h0 = object
h1 = weakref h0
h2 = registry
register h2 h0 "a"
drop h0
turn
gc
turn
h3 = deref h1
)", [](std::vector<Event>& events) {
    std::get<OpDone>(events.back()).result = Completion::Normal(ObjectRef{0});
  });
  EXPECT_TRUE(Reports(violations, Invariant::WeakRefConsistencyAndKeptAlive))
      << testing::Describe(violations);
}

// A search that gives up (here after one run) is undecided, and the trace passes: but
// what the trace alone shows wrong is still reported. The unregister answering true
// after both "a" callbacks fails every run, and the matching (model/attribution.h)
// cannot tell, since two cells share the token; the heldValue no cell had and the
// deref handing out a target an earlier deref found collected fail whatever was chosen.
TEST(Checker, AnUndecidedSearchStillReportsWhatNoChoiceExplains) {
  const Program program = ParseProgram(R"(h0 = registry
h1 = object
h2 = object
h3 = object
h5 = object
h4 = weakref h5
turn
register h0 h1 "a" h3
register h0 h2 "a" h3
register h0 h5 "b"
drop h1
drop h2
drop h5
gc
turn
h6 = deref h4
unregister h0 h3
h7 = deref h4
)");
  Trace trace = RunProgram(program);
  std::get<CallbackBegin>(*FindCallback(trace.events, "b")).held = String{"z"};
  const auto lastOf = [&](OpKind kind) -> OpDone& {
    return std::get<OpDone>(*std::find_if(trace.events.rbegin(), trace.events.rend(), [&](const Event& e) {
      const auto* done = std::get_if<OpDone>(&e);
      return done && done->op->kind == kind;
    }));
  };
  lastOf(OpKind::Unregister).result.value = true;
  lastOf(OpKind::Deref).result = Completion::Normal(ObjectRef{3});
  CheckOptions options = kEngine;
  options.maxRuns = 1;
  CheckStats stats;
  const auto violations = CheckTrace(program, trace, options, &stats);
  EXPECT_TRUE(stats.undecided);
  EXPECT_FALSE(stats.refuted);
  EXPECT_TRUE(Reports(violations, Invariant::OneCallbackPerCellWithItsHeldValue))
      << testing::Describe(violations);
  EXPECT_TRUE(Reports(violations, Invariant::WeakRefConsistencyAndKeptAlive))
      << testing::Describe(violations);
  EXPECT_FALSE(Reports(violations, Invariant::UnregisterResultAndReach))
      << "undecided: what depends on the choices is not reported\n"
      << testing::Describe(violations);
  // Decided, the unregister is reported too; with no limit the search always decides.
  EXPECT_TRUE(Reports(CheckTrace(program, trace, kEngine), Invariant::UnregisterResultAndReach));
  options.maxRuns = 0;
  const auto exact = CheckTrace(program, trace, options, &stats);
  EXPECT_FALSE(stats.undecided);
  EXPECT_TRUE(Reports(exact, Invariant::UnregisterResultAndReach)) << testing::Describe(exact);
}

// Where the unregister answers tell look-alike cells apart, no search is needed: the
// matching (model/attribution.h) refutes at once what a search would try every subset
// of cells for. 40 cells with one heldValue and a token each; the engine delivered 20
// of them, and the answers say which, or (illegal) say one more went.
TEST(Checker, TheMatchingDecidesManyLookAlikeCellsAtOnce) {
  constexpr int kCells = 40;
  std::string text = "h0 = registry\n";
  for (int i = 1; i <= kCells; ++i) {
    text += fmt::format("h{0} = object\nh{1} = object\nregister h0 h{0} \"a\" h{1}\n", i,
                        kCells + i);
  }
  for (int i = 1; i <= kCells; ++i) text += fmt::format("drop h{}\n", i);
  text += "gc\nturn\n";
  for (int i = 1; i <= kCells; ++i) text += fmt::format("unregister h0 h{}\n", kCells + i);
  const Program program = ParseProgram(text);
  for (const bool illegal : {false, true}) {
    Trace trace = RunProgram(program);
    // Keep the first half of the callbacks (all alike), and answer accordingly.
    int callbacks = 0, unregisters = 0;
    std::erase_if(trace.events, [&](const Event& e) {
      if (std::holds_alternative<CallbackBegin>(e)) ++callbacks;
      return callbacks > kCells / 2 &&
             (std::holds_alternative<CallbackBegin>(e) || std::holds_alternative<CallbackEnd>(e));
    });
    for (Event& event : trace.events) {
      auto* done = std::get_if<OpDone>(&event);
      if (done == nullptr || done->op->kind != OpKind::Unregister) continue;
      ++unregisters;
      done->result.value = unregisters > kCells / 2 && !(illegal && unregisters == kCells);
    }
    CheckStats stats;
    const auto violations = CheckTrace(program, trace, kEngine, &stats);
    if (!illegal) {
      EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
      continue;
    }
    EXPECT_TRUE(stats.refuted);
    EXPECT_FALSE(stats.undecided);
    EXPECT_LE(stats.runs, 2);
    ASSERT_EQ(violations.size(), 1u) << testing::Describe(violations);
    EXPECT_EQ(violations[0].invariant, Invariant::UnregisterResultAndReach);
    EXPECT_EQ(violations[0].line, 5 * kCells + 3) << violations[0].message;  // the last unregister
  }
}

TEST(Checker, ReportsATruncatedTrace) {
  const auto violations = CheckEdited(kTwoCells, [](std::vector<Event>& events) {
    events.resize(events.size() / 2);
  });
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations.back().invariant, Invariant::TraceMismatch);
}

TEST(Checker, StrictModeWantsEveryDeadTargetDelivered) {
  // Drop the callback for "b": lenient checking accepts it, strict does not.
  const auto dropB = [](std::vector<Event>& events) {
    auto call = FindCallback(events, "b");
    events.erase(call, call + 2);  // CallbackBegin, CallbackEnd (no body)
  };
  EXPECT_FALSE(Reports(CheckEdited(kTwoCells, dropB), Invariant::Completeness));
  const auto strict = CheckEdited(kTwoCells, dropB, CheckOptions{.profile = Profile::Es2023,
                                                            .strict = true});
  EXPECT_TRUE(Reports(strict, Invariant::Completeness)) << testing::Describe(strict);
}

// ---- The host choices a program states (choices 2, 3, 5), judged strictly: what the
// program host legally does with them passes, and the trace of a host that ignored
// them fails.

constexpr CheckOptions kStrict{.profile = Profile::Es2023, .strict = true};

// Erases the events of the `n`-th cleanup job (from 0), callbacks included.
void EraseJob(std::vector<Event>& events, int n) {
  int seen = -1;
  const auto begin = std::find_if(events.begin(), events.end(), [&](const Event& e) {
    return std::holds_alternative<JobBegin>(e) && ++seen == n;
  });
  ASSERT_NE(begin, events.end()) << "the trace has no job " << n;
  const auto end = std::find_if(begin, events.end(), [](const Event& e) {
    return std::holds_alternative<JobEnd>(e);
  });
  ASSERT_NE(end, events.end());
  events.erase(begin, end + 1);
}

TEST(Checker, EnqueueNoneOwesNoJob) {
  const std::string text = "h0 = registry\nh1 = object\nregister h0 h1 \"a\"\ndrop h1\n"
                           "gc enqueue none\nturn\n";
  EXPECT_TRUE(CheckEdited(text, [](std::vector<Event>&) {}, kStrict).empty());
  // Without the option the same trace owes the job: the completeness it spares is exact.
  const std::string plain = "h0 = registry\nh1 = object\nregister h0 h1 \"a\"\ndrop h1\n"
                            "gc\nturn\n";
  const auto lost = CheckEdited(plain, [](std::vector<Event>& events) { EraseJob(events, 0); },
                                kStrict);
  EXPECT_TRUE(Reports(lost, Invariant::Completeness)) << testing::Describe(lost);
}

// And what it forbids: a job for the cell (a host that ignored the option) is a job
// nothing enqueued.
TEST(Checker, EnqueueNoneForbidsAJob) {
  const std::string text = "h0 = registry\nh1 = object\nregister h0 h1 \"a\"\ndrop h1\n"
                           "gc enqueue none\nturn\n";
  const auto addJob = [](std::vector<Event>& events) {  // in the turn, before its OpDone
    events.insert(events.end() - 1, {JobBegin{.registry = 0},
                                     CallbackBegin{.registry = 0, .held = String{"a"}},
                                     CallbackEnd{.threw = false},
                                     JobEnd{.registry = 0, .abrupt = false}});
  };
  const auto ran = CheckEdited(text, addJob, kStrict);
  EXPECT_TRUE(Reports(ran, Invariant::CallbacksOnlyFromCleanupJobs)) << testing::Describe(ran);
  // An engine (not strict) may enqueue what it likes.
  EXPECT_TRUE(CheckEdited(text, addJob).empty());
}

TEST(Checker, EnqueueEachOwesAJobPerValue) {
  const std::string text = "h0 = registry\nh1 = object\nh2 = object\nregister h0 h1 \"a\"\n"
                           "register h0 h2 \"b\"\ndrop h1\ndrop h2\ngc enqueue each\nturn\n";
  EXPECT_TRUE(CheckEdited(text, [](std::vector<Event>&) {}, kStrict).empty());
  // The second job (which finds nothing left) did not run: a host that merged them.
  const auto merged = CheckEdited(text, [](std::vector<Event>& events) { EraseJob(events, 1); },
                                  kStrict);
  EXPECT_TRUE(Reports(merged, Invariant::Completeness)) << testing::Describe(merged);
}

// A registry whose pending job does not hold it dies, and the job is dropped: legal.
// The collected-registry-delivers fault runs it anyway, which is invariant 9 and nothing
// else (the registry was rightly collected).
TEST(Checker, HoldWeakLetsTheRegistryDieButNotDeliver) {
  const Program program = testing::LoadSourceProgram("corpus/gc-hold-weak.fr");
  EXPECT_TRUE(testing::RunAndCheck(program).empty());
  FaultSet fault;
  fault.Add(Fault::CollectedRegistryDelivers);
  const auto delivered = testing::RunAndCheck(program, fault);
  EXPECT_TRUE(Reports(delivered, Invariant::CollectedRegistryDeliversNothing))
      << testing::Describe(delivered);
  EXPECT_FALSE(Reports(delivered, Invariant::TokensTargetsWeakHeldValuesStrong))
      << testing::Describe(delivered);
}

// A job that holds its registry keeps it: a full gc that collected it anyway is caught.
TEST(Checker, HoldStrongKeepsTheRegistry) {
  const Program program =
      testing::LoadSourceProgram("corpus/faults/collected-registry-delivers.fr");
  FaultSet fault;
  fault.Add(Fault::CollectedRegistryDelivers);
  const auto collected = testing::RunAndCheck(program, fault);
  EXPECT_TRUE(Reports(collected, Invariant::TokensTargetsWeakHeldValuesStrong))
      << testing::Describe(collected);
}

// Two pending jobs of one registry, one holding it and one not: `turn jobs 1` runs the
// newer (weak) one, so the older keeps the registry through the full gc. The trace does
// not say which job ran; booked as the oldest, the full gc would look incomplete.
TEST(Checker, WhichPendingJobRanIsSearchedWhenTheyHoldDifferently) {
  const Program program = ParseProgram(R"(h0 = registry
h1 = object
h2 = object
register h0 h1 "a"
register h0 h2 "b"
drop h1
gc
drop h2
gc hold weak
turn jobs 1 limit 0
expect calls none
drop h0
gc
expect collected none
turn
expect calls @0("a") @0("b")
)");
  CheckStats stats;
  const std::vector<Violation> violations =
      CheckTrace(program, RunProgram(program), kStrict, &stats);
  EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
  EXPECT_GT(stats.runs, 1) << "the first guess (the older job ran) should have failed";
}

// `turn repost` owes the next turn the re-posted job; it holds its registry meanwhile.
TEST(Checker, RepostOwesTheNextTurnAJob) {
  const std::string text = "h0 = registry {\n  throw \"a\"\n}\nh1 = object\nh2 = object\n"
                           "register h0 h1 \"a\"\nregister h0 h2 \"b\"\ndrop h1\ndrop h2\ngc\n"
                           "turn repost\ndrop h0\ngc\nturn\n";
  EXPECT_TRUE(CheckEdited(text, [](std::vector<Event>&) {}, kStrict).empty());
  const auto notReposted = CheckEdited(
      text, [](std::vector<Event>& events) { EraseJob(events, 1); }, kStrict);
  EXPECT_TRUE(Reports(notReposted, Invariant::Completeness)) << testing::Describe(notReposted);
}

}  // namespace
}  // namespace finrig
