// The report of `finrig campaign`: report.md for people, report.json for machines, made
// from the engines' reports (engines/matrix.h) alone.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/matrix.h"
#include "tools/campaign_command.h"

namespace finrig {

// What the campaign as a whole was.
struct CampaignRun {
  std::size_t corpus = 0;   // programs in the corpus
  std::size_t engines = 0;  // in the campaign; more than the reports while it runs
  CampaignCommandOptions options;
  double seconds = 0;      // wall time, bisection included
};

// A bug's status, one word: "new", "known" (KnownBug), "allowed" (by the engine's
// profile), "noise" (not shown alone).
std::string BugStatus(const engines::BugGroup& bug);

std::string ReportMarkdown(const std::vector<engines::EngineReport>& reports,
                           const CampaignRun& run);
nlohmann::json ReportJson(const std::vector<engines::EngineReport>& reports,
                          const CampaignRun& run);

}  // namespace finrig
