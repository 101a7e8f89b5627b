#include "tools/diff_command.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "engines/diff.h"
#include "engines/js.h"
#include "engines/model_engine.h"
#include "engines/profiles.h"
#include "engines/shell_engine.h"
#include "gen/lookalike.h"
#include "gen/mutator.h"
#include "model/binary.h"
#include "model/minimize.h"
#include "model/text.h"
#include "tools/input.h"
#ifdef FINRIG_HAVE_SPIDERMONKEY
#include "engines/spidermonkey/engine.h"
#endif

namespace finrig {
namespace {

namespace fs = std::filesystem;
using engines::Finding;

constexpr std::size_t kChunk = 250;          // programs between progress lines
constexpr std::size_t kMutantMaxBytes = 1024;
constexpr int kMinimizeChecks = 300;         // engine runs per discrepancy, at most

std::unique_ptr<engines::Engine> MakeEngine(const engines::EngineProfile& profile,
                                            const DiffCommandOptions& command) {
  if (profile.name == "model") {
    return std::make_unique<engines::ModelEngine>(
        profile.profile, command.seed, FaultsFromNames(command.engineFaults), command.strict);
  }
  if (!command.engineFaults.empty()) {
    throw InputError{"--engine-fault breaks only --engine model (finrig's own model)"};
  }
  const std::chrono::milliseconds timeout(command.timeoutMs);
  if (profile.name == "node") {
    const char* node = std::getenv("FINRIG_NODE");
    return std::make_unique<engines::ShellEngine>(engines::ShellOptions{
        .command = {node != nullptr ? node : "node", "--expose-gc"},
        .flavor = engines::Flavor::Node,
        .timeout = timeout,
    });
  }
#ifdef FINRIG_HAVE_SPIDERMONKEY
  if (profile.name == "spidermonkey") return std::make_unique<engines::SpiderMonkeyEngine>(timeout);
#endif
  throw InputError{fmt::format("this finrig was built without the {} adapter (see README)",
                               profile.name)};
}

struct Source {
  std::string name;
  Program program;
};

std::vector<Source> LoadCorpus(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    if (!fs::is_directory(path)) {
      files.push_back(path);
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".fr") {
        files.push_back(entry.path().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Source> sources;
  for (const std::string& file : files) sources.push_back({file, LoadProgram(file)});
  return sources;
}

// Mutants of the corpus programs (1-4 structural edits each), or programs decoded from
// random bytes when there is no corpus; a function of (seed, i) alone.
Source Generate(const std::vector<Source>& corpus, const std::string& generator, unsigned seed,
                int i) {
  if (generator == "lookalike") {
    return {fmt::format("lookalike-{}-{}", seed, i),
            gen::LookalikeProgram(std::uint64_t{seed} << 32 | static_cast<std::uint32_t>(i))};
  }
  std::mt19937 random(seed * 1000003u + static_cast<unsigned>(i));
  std::vector<std::uint8_t> bytes;
  if (corpus.empty()) {
    bytes.resize(16 + random() % 240);
    for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(random());
  } else {
    bytes = EncodeProgram(corpus[static_cast<std::size_t>(i) % corpus.size()].program);
    const std::size_t size = bytes.size();
    bytes.resize(std::max(size, kMutantMaxBytes));
    std::size_t used = size;
    for (unsigned edits = 1 + random() % 4; edits > 0; --edits) {
      used = gen::MutateProgram(bytes.data(), used, bytes.size(), random());
    }
    bytes.resize(used);
  }
  return {fmt::format("generated-{}-{}", seed, i), DecodeProgram(bytes)};
}

// What the engine runs and the checker judges: the program as the engine can run it.
// With --strict, the engine also runs WithSettle's ops after the program.
Program Runnable(const Program& approximated, bool strict) {
  return strict ? engines::WithSettle(approximated) : approximated;
}

struct Case {
  std::string name;
  Program original;
  Program approximated;  // Approximate(original)
  Program runnable;      // Runnable(approximated)
};

Case MakeCase(Source source, Profile engine, bool strict) {
  Program approximated = engines::Approximate(source.program, engine).program;
  Program runnable = Runnable(approximated, strict);
  return {std::move(source.name), std::move(source.program), std::move(approximated),
          std::move(runnable)};
}

std::vector<Finding> Judge(engines::Engine& engine, const Program& program,
                           const engines::DiffOptions& options) {
  const std::vector<engines::EngineRun> runs = engine.Run({&program});
  return engines::Diff(program, runs.at(0), options).findings;
}

std::string FindingLines(const std::vector<Finding>& findings, std::string_view prefix) {
  std::string out;
  for (const Finding& f : findings) {
    out += fmt::format("{}{}: {}\n", prefix, engines::SourceName(f.source), f.message);
  }
  return out;
}

// Writes the discrepancy: the program as found, a minimized one that still shows a
// finding from the same source, and the minimized one as a node script.
void Report(engines::Engine& engine, const engines::EngineProfile& profile, const Case& c,
            std::vector<Finding> findings, const engines::DiffOptions& options,
            const DiffCommandOptions& command, int number) {
  const Finding target = findings.front();
  const Finding::Source source = target.source;
  // Engines are not deterministic: say whether a second run shows it again.
  const bool again = !Judge(engine, c.runnable, options).empty();
  Program minimized = c.approximated;
  std::string minimizeNote = "not minimized (--no-minimize)";
  if (command.minimize) {
    const auto stillFails = [&](const Program& candidate) {
      const Program p =
          Runnable(engines::Approximate(candidate, profile.profile).program, command.strict);
      const std::vector<Finding> f = Judge(engine, p, options);
      return std::any_of(f.begin(), f.end(), [&](const Finding& x) { return x.SameAs(target); });
    };
    try {
      const MinimizeResult result = Minimize(c.approximated, stillFails,
                                             MinimizeOptions{.maxChecks = kMinimizeChecks});
      minimized = result.program;
      minimizeNote = fmt::format("minimized: {} ops -> {} ({} engine runs{})",
                                 OpCount(c.approximated), OpCount(minimized),
                                 result.checks, result.complete ? "" : ", stopped at the budget");
      findings = Judge(engine, Runnable(minimized, command.strict), options);
    } catch (const std::invalid_argument&) {
      minimizeNote = "not minimized: its valid form did not show the finding again";
    }
  }
  minimized.profile = profile.profile;
  const std::string stem =
      (fs::path(command.output) / fmt::format("{:04}-{}", number, engines::SourceName(source)))
          .string();
  // The header comes first, before the program's own comments; with no op left, after
  // the profile line.
  std::vector<std::string> header = {
      fmt::format("finrig diff --engine {}: {} ({})", profile.name, engines::SourceName(source),
                  minimizeNote),
      fmt::format("from {}", c.name),
      fmt::format("reproduced on a second run: {}", again ? "yes" : "no"),
      fmt::format("minimized while it showed: {}", target.kind),
  };
  for (const Finding& f : findings) {
    header.push_back(fmt::format("{}: {}", engines::SourceName(f.source), f.message));
  }
  Program commented = minimized;
  std::vector<std::string>& comments =
      commented.ops.empty() ? commented.trailingComments : commented.ops.front().comments;
  comments.insert(comments.begin(), header.begin(), header.end());
  WriteFile(stem + ".fr", PrintProgram(commented));
  WriteFile(stem + "-original.fr", PrintProgram(c.original));
  WriteFile(stem + ".js", engines::EmitScript(Runnable(minimized, command.strict),
                                              engines::Flavor::Node, stem + ".fr"));
  std::cout << fmt::format("{}: {}\n{}", c.name, stem + ".fr", FindingLines(findings, "  "));
}

}  // namespace

int CheckCommand(const CheckCommandOptions& command) {
  const Program program = LoadProgram(command.program);
  const Profile profile = ProfileOverride(command.profile).value_or(program.profile);
  const Program approximated = engines::Approximate(program, profile).program;
  // Recorded output may carry comment lines and the batch's `begin` line.
  std::string lines;
  std::istringstream in(ReadFile(command.trace));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#' || line.starts_with("begin ")) continue;
    lines += line + "\n";
  }
  const engines::EngineRun run = engines::ReadWire(approximated, lines);
  const engines::DiffResult result = engines::Diff(
      approximated, run,
      engines::DiffOptions{.profile = profile, .modelFaults = {}, .strict = command.strict});
  std::cout << FindingLines(result.findings, command.trace + ": ");
  std::cout << fmt::format("check: {} ({} finding{}){}\n",
                           result.findings.empty() ? "accepted" : "rejected",
                           result.findings.size(), result.findings.size() == 1 ? "" : "s",
                           result.undecided ? "; undecided: the search for an explanation gave "
                                              "up, so the choice-dependent invariants were not "
                                              "judged"
                                            : "");
  return result.findings.empty() ? 0 : 1;
}

void PrintEngineProfiles() {
  for (const engines::EngineProfile& p : engines::EngineProfiles()) {
    std::cout << fmt::format(
        "{}\n  engine:  {}\n  driven:  {}\n  profile: {}\n  strict completeness: {}\n  notes:   "
        "{}\n",
        p.name, p.engine, p.how, ProfileName(p.profile), p.strictCompleteness ? "yes" : "no",
        p.notes);
  }
}

int DiffCommand(const DiffCommandOptions& command) {
  const std::optional<engines::EngineProfile> profile = engines::EngineProfileNamed(command.engine);
  if (!profile) throw InputError{"unknown engine '" + command.engine + "' (see 'finrig engines')"};
  const engines::DiffOptions options{.profile = profile->profile,
                                     .modelFaults = FaultsFromNames(command.faults),
                                     .strict = command.strict};
  const std::vector<Source> corpus = LoadCorpus(command.corpus);
  if (command.generator != "mutants" && command.generator != "lookalike") {
    throw InputError{"unknown generator '" + command.generator + "' (mutants or lookalike)"};
  }
  if (corpus.empty() && command.programs <= 0) {
    throw InputError{"nothing to run: give --corpus DIR and/or --programs N"};
  }
  const std::unique_ptr<engines::Engine> engine =
      MakeEngine(*profile, command);
  fs::create_directories(command.output);

  const std::size_t total = corpus.size() + static_cast<std::size_t>(std::max(command.programs, 0));
  std::size_t done = 0;
  int discrepancies = 0;
  int undecided = 0;
  int findingsBySource[3] = {0, 0, 0};
  while (done < total) {
    std::vector<Case> cases;
    for (std::size_t i = done; i < std::min(total, done + kChunk); ++i) {
      cases.push_back(MakeCase(i < corpus.size() ? corpus[i]
                                                 : Generate(corpus, command.generator,
                                                            command.seed,
                                                            static_cast<int>(i - corpus.size())),
                               profile->profile, command.strict));
    }
    std::vector<const Program*> programs;
    for (const Case& c : cases) programs.push_back(&c.runnable);
    const std::vector<engines::EngineRun> runs = engine->Run(programs);
    for (std::size_t i = 0; i < cases.size(); ++i) {
      engines::DiffResult result = engines::Diff(*programs[i], runs[i], options);
      undecided += result.undecided ? 1 : 0;
      std::vector<Finding> findings = std::move(result.findings);
      if (findings.empty()) continue;
      ++discrepancies;
      ++findingsBySource[static_cast<int>(findings.front().source)];
      Report(*engine, *profile, cases[i], std::move(findings), options, command, discrepancies);
    }
    done += cases.size();
    if (!command.quiet) {
      std::cerr << fmt::format("diff --engine {}: {}/{} programs, {} discrepancies\n",
                               profile->name, done, total, discrepancies);
    }
  }
  std::cout << fmt::format(
      "diff --engine {}: {} programs, {} discrepancies (engine {}, finrig {}, disagree {}){}\n",
      profile->name, total, discrepancies, findingsBySource[0], findingsBySource[1],
      findingsBySource[2], discrepancies > 0 ? ", written to " + command.output : "");
  if (undecided > 0) {
    std::cout << fmt::format("note: for {} program(s) the search for an explanation of the "
                             "engine's trace gave up; what depends on hidden choices was not "
                             "judged there\n",
                             undecided);
  }
  if (command.strict && !profile->strictCompleteness) {
    std::cout << fmt::format("note: the {} profile does not promise completeness ({}): --strict "
                             "findings show where it falls short, not that it breaks the spec\n",
                             profile->name, profile->notes);
  }
  return discrepancies > 0 ? 1 : 0;
}

}  // namespace finrig
