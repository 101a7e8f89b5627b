#include "tools/campaign_report.h"

#include <filesystem>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace finrig {
namespace {

std::string Versions(const engines::BugGroup& bug) {
  if (!bug.versions) return "";
  const engines::VersionSpan& v = *bug.versions;
  return fmt::format("{}{} of {} installed", v.first, v.first == v.last ? "" : " to " + v.last,
                     v.installed);
}

// A table cell: GitHub's tables end a cell at any unescaped |, in code spans too.
std::string Cell(std::string_view text) {
  std::string cell;
  for (const char c : text) {
    if (c == '|') cell += '\\';
    cell += c;
  }
  return cell;
}

// The bug's report as links relative to the report: its program, repro and test262 test.
std::string Links(const engines::BugGroup& bug, const std::string& output) {
  std::vector<std::string> links;
  for (const std::string& file : bug.files) {
    const std::string relative = std::filesystem::path(file).lexically_relative(output).string();
    links.push_back(fmt::format("[{}]({})", std::filesystem::path(file).filename().string(), relative));
  }
  return fmt::format("{}", fmt::join(links, " "));
}

std::string Rate(const engines::EngineReport& r) {
  return r.seconds > 0
             ? fmt::format("{:.1f}", static_cast<double>(r.tally.programs) / r.seconds)
             : "-";
}

}  // namespace

std::string BugStatus(const engines::BugGroup& bug) {
  if (bug.known != nullptr) return "known";
  if (bug.allowed) return "allowed";
  return bug.Noise() ? "noise" : "new";
}

std::string ReportMarkdown(const std::vector<engines::EngineReport>& reports,
                           const CampaignRun& run) {
  const CampaignCommandOptions& o = run.options;
  std::string md = fmt::format(
      "# finrig campaign\n\n{} corpus programs, {} generated ({}, seed {}){}{}; {} engines, "
      "{} jobs, {:.0f} s.{}\n\nEach bug is one signature on one engine: its blame, how many "
      "programs showed it (those past the first few that read alike, counted without "
      "minimizing: --reduce-alike), its minimized program re-run alone {} times (a bug "
      "that never shows alone is noise), the installed versions of the engine that show "
      "it, and whether it is a known bug (`finrig engines`) or allowed (a loss of liveness where "
      "the engine's profile does not promise completeness). Its report: the minimized "
      "program (NAME.fr), a standalone repro that needs nothing from finrig (NAME.js: "
      "`node --expose-gc NAME.js`, or any shell; it ends with PASS or FAIL), and a test262 "
      "test (NAME.test262.js, with harness/finrigRuntime.js) where the behaviour is one "
      "every engine must show.\n\n",
      run.corpus, o.programs, o.generator, o.seed, o.strict ? ", --strict" : "",
      o.letter ? ", --letter" : "", run.engines, o.jobs, run.seconds,
      reports.size() < run.engines
          ? fmt::format(" **Running: {} engines done so far; versions not bisected yet.**",
                        reports.size())
          : "",
      engines::kReproRuns);
  md += "| engine | programs | time (s) | programs/s | discrepancies | bugs | new |\n"
        "|---|---|---|---|---|---|---|\n";
  for (const engines::EngineReport& r : reports) {
    if (!r.error.empty()) {
      md += fmt::format("| {} | could not run: {} | | | | | |\n", r.engine, Cell(r.error));
      continue;
    }
    md += fmt::format("| {} | {} | {:.0f} | {} | {} | {} | {} |\n", r.engine, r.tally.programs,
                      r.seconds, Rate(r), r.tally.discrepancies, r.bugs.size(), r.NewBugs());
  }
  for (const engines::EngineReport& r : reports) {
    if (r.bugs.empty()) continue;
    md += fmt::format("\n## {}\n\n| status | signature | blame | count | alone | versions | "
                      "report |\n|---|---|---|---|---|---|---|\n",
                      r.engine);
    for (const engines::BugGroup& bug : r.bugs) {
      md += fmt::format(
          "| {}{} | `{}` | {} | {} | {} | {} | {} |\n", BugStatus(bug),
          bug.known != nullptr ? fmt::format(": {}", bug.known->name) : "",
          Cell(bug.signature.Text()),
          engines::SourceName(bug.blame.source),
          bug.alike > 0 ? fmt::format("{} ({} alike, not minimized)", bug.count, bug.alike)
                        : std::to_string(bug.count),
          bug.Reproduction(), Versions(bug),
          Links(bug, o.output));
    }
  }
  return md;
}

nlohmann::json ReportJson(const std::vector<engines::EngineReport>& reports,
                          const CampaignRun& run) {
  const CampaignCommandOptions& o = run.options;
  nlohmann::json engines = nlohmann::json::array();
  for (const engines::EngineReport& r : reports) {
    nlohmann::json bugs = nlohmann::json::array();
    for (const engines::BugGroup& bug : r.bugs) {
      nlohmann::json versions = nullptr;
      if (bug.versions) {
        versions = {{"first", bug.versions->first},
                    {"last", bug.versions->last},
                    {"installed", bug.versions->installed},
                    {"runs", bug.versions->runs}};
      }
      bugs.push_back({{"signature", bug.signature.Text()},
                      {"id", bug.signature.Id()},
                      {"blame", engines::SourceName(bug.blame.source)},
                      {"kind", bug.blame.kind},
                      {"count", bug.count},
                      {"alike", bug.alike},
                      {"program", bug.files.empty() ? "" : bug.files.front()},
                      {"report", bug.files},
                      {"reproduced", bug.reproduced},
                      {"runs", engines::kReproRuns},
                      {"status", BugStatus(bug)},
                      {"known", bug.known != nullptr ? nlohmann::json(bug.known->name) : nullptr},
                      {"versions", versions}});
    }
    engines.push_back({{"engine", r.engine},
                       {"name", r.name},
                       {"version", r.version},
                       {"programs", r.tally.programs},
                       {"seconds", r.seconds},
                       {"discrepancies", r.tally.discrepancies},
                       {"undecided", r.tally.undecided.size()},
                       {"undecided_programs", r.tally.undecided},
                       {"new", r.NewBugs()},
                       {"error", r.error.empty() ? nullptr : nlohmann::json(r.error)},
                       {"bugs", bugs}});
  }
  return {{"corpus", run.corpus},
          {"programs", o.programs},
          {"generator", o.generator},
          {"seed", o.seed},
          {"strict", o.strict},
          {"letter", o.letter},
          {"jobs", o.jobs},
          {"engines_in_campaign", run.engines},
          {"seconds", run.seconds},
          {"engines", engines}};
}

}  // namespace finrig
