// The campaign without a real engine: a fake one answers as the spec model does, through
// the wire format, and can have a fault planted in it.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engines/campaign.h"
#include "engines/js.h"
#include "engines/wire.h"
#include "model/minimize.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

// With `swallowTypeErrors`, a register that must throw a TypeError answers undefined
// (a top-level one: enough to plant a discrepancy the campaign must find and blame).
class FakeEngine final : public Engine {
 public:
  explicit FakeEngine(bool swallowTypeErrors) : swallowTypeErrors_(swallowTypeErrors) {}

  std::vector<EngineRun> Run(const std::vector<const Program*>& programs) override {
    std::vector<EngineRun> runs;
    for (const Program* program : programs) {
      ++runs_;
      std::string wire = WriteWire(*program, RunProgram(*program, {}, program->profile));
      if (swallowTypeErrors_) wire = SwallowRegisterTypeErrors(*program, wire);
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
  EXPECT_LE(engine.runs(), 2 + 2 + 301) << "the batch, a rerun, the reduced one, the budget";
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
  EXPECT_EQ(engine.runs(), 2 + 1) << "the batch and a rerun, nothing to reduce";
}

// What `finrig diff` writes is made of the discrepancy alone.
TEST(Campaign, ArtifactsCarryTheReducedProgramItsFindingsAndTheOriginal) {
  FakeEngine engine(true);
  CampaignOptions options = Options();
  options.programs = 0;
  const Outcome outcome = Campaign(engine, options);
  const Discrepancy& d = outcome.discrepancies.at(0);
  const std::vector<Artifact> files = Artifacts(d, "out");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "out/0001-engine.fr");
  EXPECT_EQ(files[1].path, "out/0001-engine-original.fr");
  EXPECT_EQ(files[2].path, "out/0001-engine.js");

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
  EXPECT_EQ(files[1].contents, PrintProgram(ParseProgram(kThrowing)));
  EXPECT_EQ(files[2].contents, EmitScript(d.reducedRunnable, Flavor::Node, "out/0001-engine.fr"));
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

}  // namespace
}  // namespace finrig::engines
