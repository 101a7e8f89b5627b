#include "engines/matrix.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace finrig::engines {
namespace {

// Whether one run of `runnable` alone shows a finding SameAs `blame`.
bool Shows(Engine& engine, const Program& runnable, const Finding& blame,
           const DiffOptions& judge) {
  const std::vector<Finding> findings =
      RunAndJudge(engine, {&runnable}, judge).at(0).result.findings;
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.SameAs(blame); });
}

}  // namespace

std::string BugGroup::Reproduction() const {
  const std::string rate = fmt::format("{}/{}", reproduced, kReproRuns);
  return Noise() ? "noise (" + rate + ")" : rate;
}

void EngineReport::Add(Discrepancy discrepancy, std::vector<std::string> files) {
  const Signature signature = discrepancy.BugSignature();
  const auto same = [&](const BugGroup& g) { return g.signature.Text() == signature.Text(); };
  const int alike = discrepancy.alike ? 1 : 0;
  if (auto group = std::find_if(bugs.begin(), bugs.end(), same); group != bugs.end()) {
    ++group->count;
    group->alike += alike;
    return;
  }
  bugs.push_back({.signature = signature,
                  .blame = discrepancy.Blame(),
                  .count = 1,
                  .alike = alike,
                  .files = std::move(files),
                  .runnable = std::move(discrepancy.reducedRunnable),
                  .reproduced = 0,
                  .known = nullptr,
                  .allowed = false,
                  .versions = std::nullopt});
}

int EngineReport::NewBugs() const {
  return static_cast<int>(
      std::count_if(bugs.begin(), bugs.end(), [](const BugGroup& g) { return g.New(); }));
}

EngineReport CampaignOn(Engine& engine, const EngineChoice& choice,
                        const std::vector<Source>& corpus, const CampaignOptions& options,
                        const EngineRunObserver& observer) {
  EngineReport report{.engine = choice.name,
                      .name = std::string(choice.profile.name),
                      .version = choice.installed ? choice.installed->version : "",
                      .judge = options.judge,
                      .tally = {},
                      .seconds = 0,
                      .bugs = {},
                      .error = {}};
  const auto start = std::chrono::steady_clock::now();
  try {
    report.tally = RunCampaign(engine, corpus, options,
                               {.discrepancy =
                                    [&](Discrepancy d) {
                                      std::vector<std::string> files = observer.keep(d);
                                      report.Add(std::move(d), std::move(files));
                                    },
                                .undecided = {},
                                .progress = observer.progress});
    for (BugGroup& group : report.bugs) {
      for (int run = 0; run < kReproRuns; ++run) {
        group.reproduced += Shows(engine, group.runnable, group.blame, options.judge) ? 1 : 0;
      }
    }
  } catch (const std::runtime_error& e) {
    report.error = e.what();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

void Label(EngineReport& report, std::span<const KnownBug> known) {
  const std::optional<EngineProfile> profile = EngineProfileNamed(report.name);
  const bool promised = !report.judge.strict || !profile || profile->strictCompleteness;
  for (BugGroup& group : report.bugs) {
    group.known = KnownBugOf(report.name, report.version, group.signature.Text(),
                             group.blame.message, known);
    // --strict's findings: a cell never delivered, or no cleanup at all after a program.
    const bool liveness =
        group.blame.kind == "stalled" || group.blame.kind.starts_with("invariant 12 ");
    group.allowed = !promised && group.blame.source == Finding::Source::Engine && liveness;
  }
}

VersionRange BisectVersions(std::size_t count, std::size_t seen,
                            const std::function<bool(std::size_t)>& shows) {
  VersionRange range{.first = seen, .last = seen, .asked = 0};
  const auto ask = [&](std::size_t i) {
    ++range.asked;
    return shows(i);
  };
  // The first that shows it is in [low, seen]: `seen` shows it, what is below `low` not.
  for (std::size_t low = 0, high = seen; low < high;) {
    const std::size_t middle = low + (high - low) / 2;
    if (ask(middle)) {
      high = middle;
    } else {
      low = middle + 1;
    }
    range.first = high;
  }
  // The last is in [seen, high]: what is above `high` does not show it.
  for (std::size_t low = seen, high = count - 1; low < high;) {
    const std::size_t middle = low + (high - low + 1) / 2;
    if (ask(middle)) {
      low = middle;
    } else {
      high = middle - 1;
    }
    range.last = low;
  }
  return range;
}

void Bisect(std::vector<EngineReport>& reports, const std::vector<InstalledEngine>& installed,
            const std::function<std::unique_ptr<Engine>(const InstalledEngine&)>& make) {
  std::map<std::string, std::unique_ptr<Engine>> started;  // by NAME@VERSION
  std::map<std::pair<std::string, std::string>, VersionSpan> done;  // by name and signature
  for (EngineReport& report : reports) {
    if (report.version.empty()) continue;
    std::vector<const InstalledEngine*> versions;
    for (const InstalledEngine& engine : installed) {
      if (engine.name == report.name) versions.push_back(&engine);
    }
    const auto seen = std::find_if(versions.begin(), versions.end(), [&](const InstalledEngine* e) {
      return e->version == report.version;
    });
    if (versions.size() < 2 || seen == versions.end()) continue;
    for (BugGroup& group : report.bugs) {
      if (group.Noise()) continue;
      const auto key = std::pair(report.name, group.signature.Text());
      if (!done.contains(key)) {
        // A version that cannot be run shows nothing; the range then stops short of it.
        const VersionRange range = BisectVersions(
            versions.size(), static_cast<std::size_t>(seen - versions.begin()),
            [&](std::size_t i) {
              const std::string id = versions[i]->name + "@" + versions[i]->version;
              std::unique_ptr<Engine>& engine = started[id];
              try {
                if (!engine) engine = make(*versions[i]);
                return Shows(*engine, group.runnable, group.blame, report.judge);
              } catch (const std::exception&) {
                return false;
              }
            });
        done[key] = {.first = versions[range.first]->version,
                     .last = versions[range.last]->version,
                     .installed = versions.size(),
                     .runs = range.asked};
      }
      group.versions = done[key];
    }
  }
}

}  // namespace finrig::engines
