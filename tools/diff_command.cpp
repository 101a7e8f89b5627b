#include "tools/diff_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engines/campaign.h"
#include "engines/diff.h"
#include "engines/js.h"
#include "engines/profiles.h"
#include "model/text.h"
#include "tools/input.h"

namespace finrig {

namespace fs = std::filesystem;

std::vector<std::string> WriteDiscrepancy(const engines::Discrepancy& discrepancy,
                                          const std::string& directory) {
  std::vector<std::string> report;
  for (const engines::Artifact& artifact : engines::Artifacts(discrepancy, directory)) {
    fs::create_directories(fs::path(artifact.path).parent_path());
    WriteFile(artifact.path, artifact.contents);
    if (artifact.report) report.push_back(artifact.path);
  }
  return report;
}

namespace {

// The finding a report is about: the first that names an invariant (a trace's `error`
// lines, the script's own checks, come before the checker's), else the first.
const engines::Finding& ReportedFinding(const std::vector<engines::Finding>& findings) {
  const auto named = std::find_if(findings.begin(), findings.end(), [](const engines::Finding& f) {
    return f.invariant && IsNumbered(*f.invariant);
  });
  return named != findings.end() ? *named : findings.front();
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
      engines::DiffOptions{
          .profile = profile,
          .modelFaults = {},
          .strict = command.strict,
          .letter = command.letter,
          .searchRuns = command.searchRuns});
  std::cout << engines::FindingLines(result.findings, command.trace + ": ");
  if (!command.report.empty() && !result.findings.empty()) {
    const engines::ReproCase repro{
        .name = fs::path(command.program).stem().string(),
        .program = approximated,
        .finding = ReportedFinding(result.findings),
        .seen = {fmt::format("finrig check {} --trace {}", command.program, command.trace)}};
    for (const engines::Artifact& file : engines::ReproFiles(repro, approximated, command.report)) {
      fs::create_directories(fs::path(file.path).parent_path());
      WriteFile(file.path, file.contents);
      if (file.report) std::cout << "report: " << file.path << "\n";
    }
  }
  std::cout << fmt::format("check: {} ({} finding{}){}\n",
                           result.findings.empty() ? "accepted" : "rejected",
                           result.findings.size(), result.findings.size() == 1 ? "" : "s",
                           result.undecided
                               ? fmt::format("; undecided: the search for an explanation gave "
                                             "up after {} runs, so the choice-dependent "
                                             "invariants were not judged (--search-runs 0 "
                                             "searches to the end)",
                                             command.searchRuns)
                               : "");
  return result.findings.empty() ? 0 : 1;
}

void PrintEngineProfiles() {
  const std::vector<engines::InstalledEngine> installed = engines::InstalledEngines();
  for (const engines::EngineProfile& p : engines::EngineProfiles()) {
    std::string versions;
    for (const engines::InstalledEngine& engine : installed) {
      if (engine.name != p.name) continue;
      versions += fmt::format("\n    --engine {}@{}: {}", engine.name, engine.version,
                              engine.detected.empty() ? engine.entry : engine.detected);
    }
    std::string known;
    for (const engines::KnownBug& bug : engines::KnownBugs()) {
      if (bug.engine != p.name) continue;
      known += fmt::format("\n    {} ({}): {}", bug.name,
                           bug.first.empty() ? "every version"
                                             : fmt::format("{} to {}", bug.first, bug.last),
                           bug.message.empty()
                               ? std::string(bug.signature)
                               : fmt::format("{} | any program, the engine saying \"{}\"",
                                             bug.signature, bug.message));
    }
    std::cout << fmt::format(
        "{}\n  engine:  {}\n  driven:  {}\n  profile: {}\n  strict completeness: {}\n"
        "  re-posts after a throw: {}\n  notes:   {}\n{}{}",
        p.name, p.engine, p.how, ProfileName(p.profile), p.strictCompleteness ? "yes" : "no",
        p.repostsAfterThrow ? "yes (accepted; --letter reports it)" : "no (reported)", p.notes,
        known.empty() ? "" : "  known bugs (finrig campaign labels them):" + known + "\n",
        versions.empty() ? "" : "  installed:" + versions + "\n");
  }
  // The engines the cache holds that no profile drives yet (QuickJS, say).
  std::string undriven;
  for (const engines::InstalledEngine& engine : installed) {
    if (!engines::EngineProfileNamed(engine.name)) {
      undriven += fmt::format("  {}@{}: {}\n", engine.name, engine.version, engine.detected);
    }
  }
  // The build's own (SpiderMonkey 78's host) is not in the cache.
  const std::string cache = engines::EnginesCacheDir();
  const bool cacheEmpty = std::none_of(
      installed.begin(), installed.end(),
      [&](const engines::InstalledEngine& e) { return e.entry.starts_with(cache + "/"); });
  std::cout << fmt::format("engines cache: {}{}\n", cache,
                           cacheEmpty ? " (empty: tools/engines.sh install)" : "");
  if (!undriven.empty()) std::cout << "installed, not driven by finrig diff yet:\n" << undriven;
}

engines::EngineChoice ChooseEngine(const std::string& spec) {
  try {
    return engines::ChooseEngine(spec);
  } catch (const std::invalid_argument& e) {
    throw InputError{e.what()};
  }
}

std::vector<engines::Source> LoadCorpus(const ProgramOptions& options) {
  std::vector<engines::Source> corpus;
  for (const std::string& file : engines::CorpusFiles(options.corpus)) {
    corpus.push_back({file, LoadProgram(file)});
  }
  if (corpus.empty() && options.programs <= 0) {
    throw InputError{"nothing to run: give --corpus DIR and/or --programs N"};
  }
  return corpus;
}

engines::CampaignOptions CampaignOptionsFor(const ProgramOptions& options,
                                            const engines::EngineChoice& choice) {
  const std::optional<engines::Generator> generator = engines::GeneratorNamed(options.generator);
  if (!generator) {
    throw InputError{"unknown generator '" + options.generator + "' (mutants or lookalike)"};
  }
  return {
      .engine = choice.name,
      .script = choice.profile.script,
      .judge = {.profile = choice.profile.profile,
                .modelFaults = FaultsFromNames(options.faults),
                .strict = options.strict,
                .letter = options.letter || !choice.profile.repostsAfterThrow,
                .replayRuns = options.replayRuns,
                .searchRuns = options.searchRuns},
      .programs = static_cast<std::size_t>(std::max(options.programs, 0)),
      .generator = *generator,
      .seed = options.seed,
      .minimize = options.minimize,
      .reduceAlike = options.reduceAlike,
  };
}

std::unique_ptr<engines::Engine> StartEngine(const ProgramOptions& options,
                                             const engines::EngineChoice& choice) {
  try {
    return engines::MakeEngine(
        choice.profile, {.seed = options.seed,
                         .faults = FaultsFromNames(options.engineFaults),
                         .strict = options.strict,
                         .timeout = std::chrono::milliseconds(options.timeoutMs),
                         .workers = static_cast<std::size_t>(options.workers),
                         .installed = choice.installed});
  } catch (const std::invalid_argument& e) {
    throw InputError{e.what()};
  }
}

int DiffCommand(const DiffCommandOptions& command) {
  const engines::EngineChoice choice = ChooseEngine(command.engine);
  const engines::EngineProfile* const profile = &choice.profile;
  const engines::CampaignOptions options = CampaignOptionsFor(command, choice);
  const std::vector<engines::Source> corpus = LoadCorpus(command);
  const std::unique_ptr<engines::Engine> engine = StartEngine(command, choice);
  fs::create_directories(command.output);

  std::map<std::string, int> bugs;  // signature text -> discrepancies that show it
  const engines::CampaignObserver observer{
      .discrepancy =
          [&](engines::Discrepancy d) {
            std::cout << fmt::format("{}: {}\n{}", d.found.name,
                                     fmt::join(WriteDiscrepancy(d, command.output), " "),
                                     engines::FindingLines(d.findings, "  "));
            ++bugs[d.BugSignature().Text()];
          },
      .undecided =
          [&](const engines::Case& c) {
            // A corpus program's name is its path: one file name, without the folders.
            std::string file = c.name.ends_with(".fr") ? c.name.substr(0, c.name.size() - 3)
                                                       : c.name;
            std::replace(file.begin(), file.end(), '/', '-');
            file.erase(0, file.find_first_not_of('-'));  // an absolute path's root
            fs::create_directories(fs::path(command.output) / "undecided");
            WriteFile((fs::path(command.output) / "undecided" / (file + ".fr")).string(),
                      PrintProgram(c.original));
          },
      .progress = [&](const engines::Tally& sofar, std::size_t total) {
        if (command.quiet) return;
        std::cerr << fmt::format("diff --engine {}: {}/{} programs, {} discrepancies\n",
                                 choice.name, sofar.programs, total, sofar.discrepancies);
      }};
  // An engine that cannot start, or that runs nothing of a batch, is no finding about
  // a program: it is this machine's (a binary missing or broken, a stand-in).
  const engines::Tally tally = [&] {
    try {
      return engines::RunCampaign(*engine, corpus, options, observer);
    } catch (const std::runtime_error& e) {
      throw InputError{fmt::format("--engine {}: {}", choice.name, e.what())};
    }
  }();
  const int discrepancies = tally.discrepancies;
  std::cout << fmt::format(
      "diff --engine {}: {} programs, {} discrepancies (engine {}, finrig {}, disagree {}){}\n",
      choice.name, tally.programs, discrepancies, tally.bySource[0], tally.bySource[1],
      tally.bySource[2], discrepancies > 0 ? ", written to " + command.output : "");
  if (!bugs.empty()) {
    std::cout << fmt::format("{} distinct by signature:\n", bugs.size());
    for (const auto& [signature, count] : bugs) {
      std::cout << fmt::format("  {:>4} x {}\n", count, signature);
    }
  }
  if (!tally.undecided.empty()) {
    std::cout << fmt::format(
        "note: for {} program(s) the search for an explanation of the engine's trace gave up "
        "after {} runs, so what depends on hidden choices was not judged there: {}. They are "
        "in {}/undecided/; --corpus that folder with --search-runs 0 searches to the end\n",
        tally.undecided.size(), command.searchRuns, fmt::join(tally.undecided, ", "),
        command.output);
  }
  if (command.strict && !profile->strictCompleteness) {
    std::cout << fmt::format("note: the {} profile does not promise completeness ({}): --strict "
                             "findings show where it falls short, not that it breaks the spec\n",
                             profile->name, profile->notes);
  }
  return discrepancies > 0 ? 1 : 0;
}

}  // namespace finrig
