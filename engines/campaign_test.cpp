// The campaign without a real engine: a fake one answers as the spec model does, through
// the wire format, and can have a fault planted in it.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engines/campaign.h"
#include "engines/js.h"
#include "engines/matrix.h"
#include "engines/wire.h"
#include "model/minimize.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

// With `swallowTypeErrors`, a register that must throw a TypeError answers undefined
// (a top-level one: enough to plant a discrepancy the campaign must find and blame);
// `onlyInBatches`: only when it runs more than one program at a time (a bug that needs
// what ran before it: noise, for a program run alone).
class FakeEngine final : public Engine {
 public:
  explicit FakeEngine(bool swallowTypeErrors, bool onlyInBatches = false)
      : swallowTypeErrors_(swallowTypeErrors), onlyInBatches_(onlyInBatches) {}

  std::vector<EngineRun> Run(const std::vector<const Program*>& programs) override {
    std::vector<EngineRun> runs;
    for (const Program* program : programs) {
      ++runs_;
      std::string wire = WriteWire(*program, RunProgram(*program, {}, program->profile));
      if (swallowTypeErrors_ && (!onlyInBatches_ || programs.size() > 1)) {
        wire = SwallowRegisterTypeErrors(*program, wire);
      }
      runs.push_back(ReadWire(*program, wire));
    }
    return runs;
  }
  int runs() const { return runs_; }

 private:
  static std::string SwallowRegisterTypeErrors(const Program& program, const std::string& wire) {
    std::istringstream in(wire);
    std::string out;
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string word, path, result;
      words >> word >> path >> result;
      if (word == "op" && result == "TypeError" && path.find('.') == std::string::npos &&
          program.ops.at(std::stoul(path)).kind == OpKind::Register) {
        line = "op " + path + " undefined";
      }
      out += line + "\n";
    }
    return out;
  }

  bool swallowTypeErrors_;
  bool onlyInBatches_;
  int runs_ = 0;
};

const char* const kClean =
    "h0 = registry\nh1 = object\nregister h0 h1 \"a\"\ndrop h1\ngc\nturn\n";
// Its sixth op throws a TypeError (target and heldValue are the same); the rest is
// what reduction must take away.
const char* const kThrowing =
    "h0 = registry\nh1 = object\nh2 = object\nregister h0 h2 \"x\"\nh3 = weakref h2\n"
    "register h0 h1 h1\ndrop h2\ngc\nturn\nderef h3\nunregister h0 h2\n";

std::vector<Source> Corpus() {
  return {{"clean.fr", ParseProgram(kClean)}, {"throwing.fr", ParseProgram(kThrowing)}};
}

struct Outcome {
  Tally tally;
  std::vector<Discrepancy> discrepancies;
};

Outcome Campaign(Engine& engine, CampaignOptions options) {
  Outcome outcome;
  outcome.tally = RunCampaign(engine, Corpus(), options,
                              {.discrepancy = [&](Discrepancy d) {
                                 outcome.discrepancies.push_back(std::move(d));
                               },
                               .undecided = {},
                               .progress = {}});
  return outcome;
}

std::string ResultOf(const Trace& trace, const Op* op) {
  for (const Event& event : trace.events) {
    if (const auto* done = std::get_if<OpDone>(&event); done != nullptr && done->op == op) {
      return CompletionToText(done->result);
    }
  }
  return "no result";
}

CampaignOptions Options() {
  return {.engine = "fake", .judge = {}, .programs = 100, .generator = Generator::Mutants};
}

// The same corpus and mutants as the next test, whose faulty engine this one must not
// mistake the clean one for.
TEST(Campaign, ACleanEngineGivesNoDiscrepancy) {
  FakeEngine engine(false);
  const Outcome outcome = Campaign(engine, Options());
  EXPECT_EQ(outcome.tally.programs, 102u);
  EXPECT_EQ(outcome.tally.discrepancies, 0);
  EXPECT_TRUE(outcome.discrepancies.empty());
}

TEST(Campaign, AFaultyEngineIsBlamedAndItsProgramReduced) {
  FakeEngine engine(true);
  CampaignOptions options = Options();
  options.programs = 0;
  const Outcome outcome = Campaign(engine, options);
  ASSERT_EQ(outcome.tally.discrepancies, 1);
  EXPECT_EQ(outcome.tally.bySource[static_cast<int>(Finding::Source::Engine)], 1);
  ASSERT_EQ(outcome.discrepancies.size(), 1u);
  const Discrepancy& d = outcome.discrepancies[0];
  EXPECT_EQ(d.number, 1);
  EXPECT_EQ(d.found.name, "throwing.fr");
  EXPECT_EQ(d.Blame().source, Finding::Source::Engine);
  EXPECT_EQ(d.Blame().kind, "invariant 2 at register");
  EXPECT_TRUE(d.reproduced);
  // The traces the verdict came from: the engine answered undefined, the model TypeError.
  const Op* faulty = &d.found.runnable.ops.at(5);
  EXPECT_EQ(ResultOf(d.judgement.run.trace, faulty), "undefined");
  EXPECT_EQ(ResultOf(d.judgement.result.model, faulty), "TypeError");
  // Down to the register that should have thrown and what it needs.
  EXPECT_LE(OpCount(d.reduced), 3) << PrintProgram(d.reduced);
  EXPECT_EQ(d.reduced.ops.back().kind, OpKind::Register) << PrintProgram(d.reduced);
  EXPECT_EQ(d.reduction.rfind(fmt::format("minimized: 11 ops -> {} (", OpCount(d.reduced)), 0), 0u)
      << d.reduction;
  EXPECT_TRUE(std::any_of(d.findings.begin(), d.findings.end(),
                          [&](const Finding& f) { return f.SameAs(d.Blame()); }));
  EXPECT_LE(engine.runs(), 2 + 2 + 301 + 1)
      << "the batch, a rerun, the reduced one, the budget, the lines numbered";
}

TEST(Campaign, WithoutMinimizingTheProgramIsKeptAsFound) {
  FakeEngine engine(true);
  CampaignOptions options = Options();
  options.programs = 0;
  options.minimize = false;
  const Outcome outcome = Campaign(engine, options);
  const Discrepancy& d = outcome.discrepancies.at(0);
  EXPECT_EQ(PrintProgram(d.reduced), PrintProgram(d.found.approximated));
  EXPECT_EQ(d.reduction, "not minimized (--no-minimize)");
  EXPECT_EQ(engine.runs(), 2 + 2) << "the batch, a rerun, nothing to reduce, the lines numbered";
}

// The fake engine's one bug shows in many mutants, first as invariant 2 or 3 at a
// register: past the first two that read alike, each is counted with its bug, not
// minimized again.
TEST(Campaign, AlikeDiscrepanciesPastTheFirstFewAreCountedNotMinimized) {
  CampaignOptions options = Options();
  options.reduceAlike = 2;
  FakeEngine engine(true);
  const Outcome outcome = Campaign(engine, options);
  std::map<std::string, std::vector<const Discrepancy*>> byKey;
  for (const Discrepancy& d : outcome.discrepancies) byKey[AlikeKey(d.Blame())].push_back(&d);
  int alike = 0;
  for (const auto& [key, ds] : byKey) {
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const Discrepancy& d = *ds[i];
      if (i < 2 || ds[0]->BugSignature().Text() != ds[1]->BugSignature().Text()) {
        EXPECT_FALSE(d.alike) << key << ": " << d.found.name;
        continue;
      }
      ASSERT_TRUE(d.alike) << key << ": " << d.found.name;
      ++alike;
      EXPECT_EQ(d.BugSignature().Text(), ds[0]->BugSignature().Text());
      EXPECT_EQ(PrintProgram(d.reduced), PrintProgram(d.found.approximated)) << "as found";
      EXPECT_EQ(d.reduction.rfind("not minimized: its first finding reads as those of the 2", 0),
                0u)
          << d.reduction;
    }
  }
  EXPECT_GE(alike, 2);
  // Known bad: minimizing every one, as --reduce-alike 0 asks.
  options.reduceAlike = 0;
  FakeEngine every(true);
  const Outcome all = Campaign(every, options);
  ASSERT_EQ(all.discrepancies.size(), outcome.discrepancies.size());
  EXPECT_TRUE(std::none_of(all.discrepancies.begin(), all.discrepancies.end(),
                           [](const Discrepancy& d) { return d.alike.has_value(); }));
  EXPECT_LT(engine.runs(), every.runs());
}

TEST(Campaign, FindingsReadAlikeWhateverTheirValues) {
  const Finding a{.source = Finding::Source::Engine,
                  .message = "line 10: @1.unregister(@2) returned false (heldValue \"x\")",
                  .kind = "invariant 7 at unregister"};
  const auto saying = [&](std::string message) {
    Finding f = a;
    f.message = std::move(message);
    return AlikeKey(f);
  };
  // Lines, handles and strings (QuickJS's unregister bug names each program's held value).
  EXPECT_EQ(AlikeKey(a), saying("line 9: @3.unregister(@0) returned false (heldValue \"a \\\" b\")"));
  EXPECT_NE(AlikeKey(a), saying("line 10: @1.unregister(@2) returned true (heldValue \"x\")"));
  EXPECT_NE(AlikeKey(a), saying("line 10: @1.unregister(@2) returned false (heldValue @3)"));
  Finding other = a;
  other.kind = "invariant 1 at turn";
  EXPECT_NE(AlikeKey(a), AlikeKey(other));
  other = a;
  other.source = Finding::Source::Model;
  EXPECT_NE(AlikeKey(a), AlikeKey(other));
}

// What `finrig diff` writes is made of the discrepancy alone.
TEST(Campaign, ArtifactsCarryTheReducedProgramItsFindingsAndTheOriginal) {
  FakeEngine engine(true);
  CampaignOptions options = Options();
  options.programs = 0;
  const Outcome outcome = Campaign(engine, options);
  const Discrepancy& d = outcome.discrepancies.at(0);
  const std::vector<Artifact> files = Artifacts(d, "out");
  // register h0 h1 h1 gives no TypeError before the first gc: every engine must throw
  // one there, so the report has a test262 test.
  std::vector<std::string> paths;
  for (const Artifact& file : files) paths.push_back(file.path + (file.report ? " (report)" : ""));
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "out/0001-engine.fr (report)", "out/0001-engine.js (report)",
                       "out/0001-engine.test262.js (report)", "out/harness/finrigRuntime.js",
                       "out/0001-engine-original.fr", "out/0001-engine.wire.js"}));

  const Program reduced = ParseProgram(files[0].contents);
  ASSERT_EQ(reduced.ops.size(), d.reduced.ops.size()) << files[0].contents;
  for (std::size_t i = 0; i < reduced.ops.size(); ++i) {
    EXPECT_EQ(PrintOpHead(reduced.ops[i]), PrintOpHead(d.reduced.ops[i]));
  }
  const std::string& header = files[0].contents;
  for (const std::string& line : std::vector<std::string>{
           "# finrig diff --engine fake: engine (" + d.reduction + ")", "# from throwing.fr",
           "# reproduced on a second run: yes",
           "# minimized while it showed: invariant 2 at register",
           "# signature: engine invariant 2 at register | " + ProgramShape(d.reduced)}) {
    EXPECT_NE(header.find(line + "\n"), std::string::npos) << line << "\n" << header;
  }
  for (const Finding& f : d.findings) {
    EXPECT_NE(header.find(std::string(SourceName(f.source)) + ": " + f.message), std::string::npos)
        << f.message;
  }
  // Its findings cite the lines of the file written: the register that should have thrown
  // is on the line its finding names, past the header.
  const Finding& shown = d.Shown();
  ASSERT_FALSE(shown.op.empty());
  const int cited = d.reduced.ops.at(std::stoul(shown.op)).line;  // a top-level op
  EXPECT_EQ(shown.message.rfind(fmt::format("line {}: ", cited), 0), 0u) << shown.message;
  std::istringstream lines(files[0].contents);
  std::string line;
  for (int n = 0; n < cited; ++n) std::getline(lines, line);
  EXPECT_EQ(line.rfind("register h", 0), 0u) << "line " << cited << ":\n" << files[0].contents;
  EXPECT_NE(files[1].contents.find("The rule: invariant 2"), std::string::npos) << files[1].contents;
  EXPECT_EQ(files[4].contents, PrintProgram(ParseProgram(kThrowing)));
  EXPECT_EQ(files[5].contents, EmitScript(d.reducedRunnable, Flavor::Node, "out/0001-engine.fr"));
}

TEST(Campaign, TheCorpusIsEveryFrFileUnderItsDirectoriesSorted) {
  const std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) / "finrig-campaign-corpus";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  for (const char* name : {"b.fr", "sub/a.fr", "notes.txt"}) std::ofstream(dir / name) << kClean;
  EXPECT_EQ(CorpusFiles({"given.bin", dir.string()}),
            (std::vector<std::string>{(dir / "b.fr").string(), (dir / "sub/a.fr").string(),
                                      "given.bin"}));
  std::filesystem::remove_all(dir);
}

// A campaign's programs are the same wherever it runs, so a discrepancy can be named by
// its seed and index.
TEST(Campaign, GeneratedProgramsAreAFunctionOfSeedAndIndex) {
  for (const Generator generator : {Generator::Mutants, Generator::Lookalike}) {
    const Source a = Generate(Corpus(), generator, 7, 3);
    EXPECT_EQ(PrintProgram(a.program), PrintProgram(Generate(Corpus(), generator, 7, 3).program));
    EXPECT_NE(PrintProgram(a.program), PrintProgram(Generate(Corpus(), generator, 7, 4).program));
  }
  EXPECT_EQ(Generate({}, Generator::Mutants, 7, 3).name, "generated-7-3");
  EXPECT_EQ(Generate({}, Generator::Lookalike, 7, 3).name, "lookalike-7-3");
}

// --- the campaign over many engines (matrix.h) ---

// node@VERSION from a cache that is not there: CampaignOn and Bisect only read names.
EngineChoice Node(const std::string& version) {
  return {.name = "node@" + version,
          .profile = *EngineProfileNamed("node"),
          .installed = InstalledEngine{.name = "node", .version = version, .entry = "", .detected = ""}};
}

// The corpus with the throwing program twice: two discrepancies of one bug.
std::vector<Source> TwiceThrowing() {
  std::vector<Source> corpus = Corpus();
  corpus.push_back({"throwing-again.fr", ParseProgram(kThrowing)});
  return corpus;
}

EngineReport MatrixRun(Engine& engine, const std::string& version = "1.1.0") {
  CampaignOptions options = Options();
  options.programs = 0;
  int kept = 0;
  return CampaignOn(engine, Node(version), TwiceThrowing(), options,
                    {.keep = [&](const Discrepancy& d) {
                       return std::vector<std::string>{
                           fmt::format("kept-{}-{}", ++kept, d.found.name)};
                     },
                     .progress = {}});
}

TEST(Matrix, OneBugShownByTwoProgramsIsOneGroupThatReproducesAlone) {
  FakeEngine engine(true);
  const EngineReport report = MatrixRun(engine);
  EXPECT_EQ(report.engine, "node@1.1.0");
  EXPECT_EQ(report.version, "1.1.0");
  EXPECT_TRUE(report.error.empty()) << report.error;
  EXPECT_EQ(report.tally.programs, 3u);
  EXPECT_EQ(report.tally.discrepancies, 2);
  ASSERT_EQ(report.bugs.size(), 1u);
  const BugGroup& bug = report.bugs[0];
  EXPECT_EQ(bug.count, 2);
  EXPECT_EQ(bug.files, std::vector<std::string>{"kept-1-throwing.fr"})
      << "the first discrepancy's report";
  EXPECT_EQ(bug.signature.kind, "engine invariant 2 at register");
  EXPECT_EQ(bug.reproduced, kReproRuns);
  EXPECT_EQ(bug.Reproduction(), "3/3");
  EXPECT_TRUE(bug.New());
  EXPECT_EQ(report.NewBugs(), 1);
}

TEST(Matrix, ACleanEngineHasNoGroups) {
  FakeEngine engine(false);
  const EngineReport report = MatrixRun(engine);
  EXPECT_EQ(report.tally.programs, 3u);
  EXPECT_TRUE(report.bugs.empty());
  EXPECT_EQ(report.NewBugs(), 0);
}

// Two bugs, two groups: the signature tells them apart (known-bad for the grouping above,
// which must not lump everything together).
TEST(Matrix, DifferentSignaturesAreDifferentGroups) {
  FakeEngine engine(true);
  EngineReport report = MatrixRun(engine);
  Discrepancy other;
  other.judgement.result.findings = {
      {.source = Finding::Source::Engine, .message = "m", .kind = "crashed"}};
  report.Add(std::move(other), {"other.fr"});
  ASSERT_EQ(report.bugs.size(), 2u);
  EXPECT_EQ(report.bugs[0].count, 2);
  EXPECT_EQ(report.bugs[1].count, 1);
  EXPECT_EQ(report.bugs[1].signature.kind, "engine crashed");
}

TEST(Matrix, ABugThatNeedsTheProgramsBeforeItIsNoise) {
  FakeEngine engine(true, /*onlyInBatches=*/true);
  const EngineReport report = MatrixRun(engine);
  ASSERT_EQ(report.bugs.size(), 1u);
  const BugGroup& bug = report.bugs[0];
  EXPECT_EQ(bug.reproduced, 0);
  EXPECT_TRUE(bug.Noise());
  EXPECT_EQ(bug.Reproduction(), "noise (0/3)");
  EXPECT_FALSE(bug.New()) << "noise is reported, not counted as new";
  EXPECT_EQ(report.NewBugs(), 0);
}

TEST(Matrix, ABugShownAloneSometimesIsNotNoise) {
  BugGroup bug;
  bug.reproduced = 1;
  EXPECT_EQ(bug.Reproduction(), "1/3");
  EXPECT_FALSE(bug.Noise());
  EXPECT_TRUE(bug.New());
}

TEST(Matrix, KnownBugsAreLabelledOnTheVersionsTheyAffect) {
  FakeEngine engine(true);
  const std::string signature = MatrixRun(engine).bugs.at(0).signature.Text();
  const std::vector<KnownBug> known = {
      {.name = "other-engine", .engine = "deno", .signature = signature, .first = "", .last = ""},
      {.name = "swallowed", .engine = "node", .signature = signature, .first = "1.1.0", .last = "1.2.0"},
  };
  for (const auto& [version, label] : std::vector<std::pair<std::string, const char*>>{
           {"1.0.9", nullptr}, {"1.1.0", "swallowed"}, {"1.2.0", "swallowed"},
           {"1.10.0", nullptr}}) {
    FakeEngine faulty(true);
    EngineReport report = MatrixRun(faulty, version);
    Label(report, known);
    const BugGroup& bug = report.bugs.at(0);
    if (label == nullptr) {
      EXPECT_EQ(bug.known, nullptr) << version;
      EXPECT_TRUE(bug.New()) << version;
    } else {
      ASSERT_NE(bug.known, nullptr) << version;
      EXPECT_EQ(bug.known->name, label);
      EXPECT_FALSE(bug.New());
      EXPECT_EQ(report.NewBugs(), 0);
    }
  }
}

// A memory error shows in programs of any shape: its row names the kind of finding and
// the engine's words, and matches neither another kind nor other words.
TEST(Matrix, AKnownBugOfManyShapesIsKnownByTheEnginesWords) {
  const std::vector<KnownBug> known = {{.name = "heap",
                                        .engine = "quickjs-ng",
                                        .signature = "engine crashed",
                                        .first = "",
                                        .last = "",
                                        .message = "RuntimeError: "}};
  const auto of = [&](std::string_view engine, std::string_view signature,
                      std::string_view message) {
    return KnownBugOf(engine, "0.32.0", signature, message, known);
  };
  const std::string trap = "crashed: exit 1; stderr: RuntimeError: memory access out of bounds";
  EXPECT_EQ(of("quickjs-ng", "engine crashed | register gc", trap), &known[0]);
  EXPECT_EQ(of("quickjs-ng", "engine crashed | registry{throw} register turn gc",
               "crashed: exit 1; stderr: RuntimeError: Aborted(Assertion failed: p->ref_count == 0)"),
            &known[0]);
  EXPECT_EQ(of("quickjs-ng", "engine crashed | register gc", "crashed: exit 1; stderr: TypeError"),
            nullptr);
  EXPECT_EQ(of("quickjs-ng", "engine died after end | register gc", trap), nullptr);
  EXPECT_EQ(of("quickjs-ng", "engine crashed", trap), nullptr) << "a kind without a shape";
  EXPECT_EQ(of("quickjs", "engine crashed | register gc", trap), nullptr);
  // A row without words matches its signature exactly, whatever the message.
  EXPECT_EQ(KnownBugOf("quickjs-ng", "0.32.0", "engine crashed | register gc", trap,
                       std::vector<KnownBug>{{.name = "exact",
                                              .engine = "quickjs-ng",
                                              .signature = "engine crashed",
                                              .first = "",
                                              .last = ""}}),
            nullptr);
}

// --strict's losses of liveness are allowed where the profile does not promise
// completeness (bun), and new where it does (node), or for any other finding.
TEST(Matrix, ALossOfLivenessIsAllowedWhereTheProfileDoesNotPromiseCompleteness) {
  const auto group = [](std::string kind) {
    BugGroup bug;
    bug.blame = {.source = Finding::Source::Engine, .message = "m", .kind = std::move(kind)};
    bug.signature = {.kind = "engine " + bug.blame.kind, .shape = "register"};
    bug.reproduced = kReproRuns;
    return bug;
  };
  for (const std::string name : {"bun", "node"}) {
    for (const bool strict : {true, false}) {
      EngineReport report;
      report.name = name;
      report.judge.strict = strict;
      report.bugs = {group("invariant 12 at end"), group("stalled"), group("invariant 7 at unregister")};
      Label(report, {});
      const bool allowed = strict && name == "bun";
      EXPECT_EQ(report.bugs[0].allowed, allowed) << name << strict;
      EXPECT_EQ(report.bugs[1].allowed, allowed) << name << strict;
      EXPECT_FALSE(report.bugs[2].allowed) << name << strict;
      EXPECT_EQ(report.NewBugs(), allowed ? 1 : 3) << name << strict;
    }
  }
}

TEST(Matrix, TheKnownBugsTableNamesTheV8StallOnItsVersions) {
  const KnownBug* stall = nullptr;
  for (const KnownBug& bug : KnownBugs()) {
    if (bug.name == "v8-stall-after-dirty-registry-dies" && bug.engine == "node") stall = &bug;
  }
  ASSERT_NE(stall, nullptr);
  EXPECT_EQ(KnownBugOf("node", "20.20.2", stall->signature), stall);
  EXPECT_EQ(KnownBugOf("node", "", stall->signature), stall) << "the system node";
  EXPECT_EQ(KnownBugOf("node", "26.12.1", stall->signature), nullptr);
  EXPECT_EQ(KnownBugOf("bun", "1.1.45", stall->signature), nullptr);
}

TEST(Matrix, BisectionFindsEveryRangeWithFewQuestions) {
  constexpr std::size_t kVersions = 7;
  for (std::size_t first = 0; first < kVersions; ++first) {
    for (std::size_t last = first; last < kVersions; ++last) {
      for (std::size_t seen = first; seen <= last; ++seen) {
        std::vector<std::size_t> asked;
        const VersionRange range = BisectVersions(kVersions, seen, [&](std::size_t i) {
          asked.push_back(i);
          return first <= i && i <= last;
        });
        EXPECT_EQ(range.first, first) << first << ".." << last << " seen " << seen;
        EXPECT_EQ(range.last, last) << first << ".." << last << " seen " << seen;
        EXPECT_EQ(range.asked, static_cast<int>(asked.size()));
        EXPECT_LE(asked.size(), 6u) << "about log2 of each side, not every version";
        EXPECT_EQ(std::count(asked.begin(), asked.end(), seen), 0) << "seen shows it already";
      }
    }
  }
}

// Versions 1.0.0 .. 1.3.0 installed, the bug in 1.1.0 and 1.2.0: found on 1.1.0, the
// bisection runs its program on the others.
TEST(Matrix, BisectionRunsTheBugsProgramOnTheOtherInstalledVersions) {
  const std::vector<std::string> versions = {"1.0.0", "1.1.0", "1.2.0", "1.3.0"};
  std::vector<InstalledEngine> installed;
  for (const std::string& v : versions) {
    installed.push_back({.name = "node", .version = v, .entry = "", .detected = ""});
  }
  installed.push_back({.name = "deno", .version = "1.0.0", .entry = "", .detected = ""});
  const auto buggy = [](const std::string& v) { return v == "1.1.0" || v == "1.2.0"; };
  FakeEngine engine(true);
  std::vector<EngineReport> reports;
  reports.push_back(MatrixRun(engine, "1.1.0"));
  FakeEngine again(true);
  reports.push_back(MatrixRun(again, "1.2.0"));
  std::vector<std::string> made;
  Bisect(reports, installed, [&](const InstalledEngine& e) -> std::unique_ptr<Engine> {
    EXPECT_EQ(e.name, "node");
    made.push_back(e.version);
    return std::make_unique<FakeEngine>(buggy(e.version));
  });
  for (const EngineReport& report : reports) {
    ASSERT_TRUE(report.bugs.at(0).versions.has_value());
    const VersionSpan& span = *report.bugs[0].versions;
    EXPECT_EQ(span.first, "1.1.0");
    EXPECT_EQ(span.last, "1.2.0");
    EXPECT_EQ(span.installed, 4u);
  }
  EXPECT_LE(made.size(), 3u) << "each version started once, the seen one not at all";
  EXPECT_EQ(std::count(made.begin(), made.end(), "1.1.0"), 0);

  // Known-bad: a bug on every version spans them all.
  std::vector<EngineReport> everywhere;
  FakeEngine third(true);
  everywhere.push_back(MatrixRun(third, "1.2.0"));
  Bisect(everywhere, installed, [](const InstalledEngine&) { return std::make_unique<FakeEngine>(true); });
  EXPECT_EQ(everywhere[0].bugs.at(0).versions->first, "1.0.0");
  EXPECT_EQ(everywhere[0].bugs[0].versions->last, "1.3.0");
}

TEST(Matrix, NoBisectionForNoiseOrAnEngineWithOneVersion) {
  const std::vector<InstalledEngine> installed = {
      {.name = "node", .version = "1.1.0", .entry = "", .detected = ""}};
  FakeEngine engine(true);
  std::vector<EngineReport> reports;
  reports.push_back(MatrixRun(engine, "1.1.0"));
  FakeEngine noisy(true, true);
  reports.push_back(MatrixRun(noisy, "1.1.0"));
  std::vector<InstalledEngine> two = installed;
  two.push_back({.name = "node", .version = "1.2.0", .entry = "", .detected = ""});
  int made = 0;
  const auto make = [&](const InstalledEngine&) -> std::unique_ptr<Engine> {
    ++made;
    return std::make_unique<FakeEngine>(true);
  };
  Bisect(reports, installed, make);
  EXPECT_EQ(made, 0);
  EXPECT_FALSE(reports[0].bugs.at(0).versions.has_value());
  std::vector<EngineReport> noise;
  noise.push_back(std::move(reports[1]));
  Bisect(noise, two, make);
  EXPECT_EQ(made, 0);
  EXPECT_FALSE(noise[0].bugs.at(0).versions.has_value());
}

}  // namespace
}  // namespace finrig::engines
