// A campaign over the matrix of engines and versions (`finrig campaign`): each engine's
// differential campaign (campaign.h) with its discrepancies grouped by signature, so that
// one bug is one line; each group's minimized program re-run alone, to tell a bug from
// noise; each labelled with the known engine bug it is (profiles.h); and for an engine
// with several versions installed, the first and last that show it. Running engines in
// parallel, printing and writing the report are the caller's.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engines/campaign.h"
#include "engines/profiles.h"

namespace finrig::engines {

// How many times a group's minimized program is re-run alone: a finding that shows in
// none of them is noise (it needed the programs the engine ran before it).
constexpr int kReproRuns = 3;

// The installed versions of one engine that show a bug (BisectVersions).
struct VersionSpan {
  std::string first, last;
  std::size_t installed = 0;  // versions of the engine installed, all of them candidates
  int runs = 0;               // engine runs the bisection took
};

// The discrepancies of one engine that share a signature: one bug.
struct BugGroup {
  Signature signature;
  Finding blame;          // the first discrepancy's; re-runs look for one SameAs it
  int count = 0;          // discrepancies with this signature
  int alike = 0;          // of them, counted without minimizing (Discrepancy::alike)
  // The first one's report, where the caller wrote it: its minimized program, then its
  // standalone repro and test262 test (Artifact::report).
  std::vector<std::string> files;
  Program runnable;       // what the engine runs for it (Discrepancy::reducedRunnable)
  int reproduced = 0;     // runs of `runnable` alone, of kReproRuns, that showed it
  const KnownBug* known = nullptr;
  // A loss of liveness (--strict) on an engine whose profile does not promise
  // completeness: what `finrig diff` notes under its summary, not a new bug.
  bool allowed = false;
  std::optional<VersionSpan> versions;  // when other versions of the engine are installed

  bool Noise() const { return reproduced == 0; }
  bool New() const { return known == nullptr && !allowed && !Noise(); }
  std::string Reproduction() const;  // "3/3", or "noise (0/3)"
};

// What the campaign found on one engine.
struct EngineReport {
  std::string engine;   // as chosen: node@22.23.5, node (the system's), spidermonkey
  std::string name;     // its profile's
  std::string version;  // from the engines cache; empty otherwise
  DiffOptions judge;    // how its runs are judged (the re-runs and the bisection too)
  Tally tally;
  double seconds = 0;   // the campaign and the re-runs, not the bisection
  std::vector<BugGroup> bugs;  // in the order first seen
  std::string error;    // the engine could not be run: why (nothing else is then valid)

  // Files the discrepancy with its group (a new one, or one more of an old one).
  void Add(Discrepancy discrepancy, std::vector<std::string> files);
  int NewBugs() const;
};

// The campaign on one engine: the programs run and judged, each discrepancy reduced and
// handed to `keep` (which writes it and answers where its report went), then
// grouped; then each group's program re-run alone kReproRuns times. An engine that
// cannot be run gives a report with `error` set.
struct EngineRunObserver {
  std::function<std::vector<std::string>(const Discrepancy&)> keep;
  std::function<void(const Tally&, std::size_t total)> progress;  // CampaignObserver's
};
EngineReport CampaignOn(Engine& engine, const EngineChoice& choice,
                        const std::vector<Source>& corpus, const CampaignOptions& options,
                        const EngineRunObserver& observer);

// Labels each group with the known bug it is on this engine and version, and as allowed
// where the engine's profile does not promise what it falls short of.
void Label(EngineReport& report, std::span<const KnownBug> known = KnownBugs());

// Of `count` versions, oldest first, where version `seen` shows a bug: the first and last
// that show it (indices), asking `shows` for as few versions as a binary search on each
// side needs. Assumes the versions that show it are consecutive (a bug comes in with one
// version and is fixed in a later one); `seen` itself is not asked.
struct VersionRange {
  std::size_t first = 0, last = 0;
  int asked = 0;
};
VersionRange BisectVersions(std::size_t count, std::size_t seen,
                            const std::function<bool(std::size_t)>& shows);

// For each group that reproduced on an engine from the cache with other versions
// installed: its program run on those versions (BisectVersions, one run each), once per
// engine and signature however many reports share them. `make` starts an installed
// version; `installed` is InstalledEngines()'s list.
void Bisect(std::vector<EngineReport>& reports, const std::vector<InstalledEngine>& installed,
            const std::function<std::unique_ptr<Engine>(const InstalledEngine&)>& make);

}  // namespace finrig::engines
