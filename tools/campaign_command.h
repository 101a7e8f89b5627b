// `finrig campaign`: a differential campaign over many engines and versions at once
// (engines/matrix.h), in parallel workers, with a progress line on stderr and a report
// (tools/campaign_report.h) written to a directory.
#pragma once

#include <string>
#include <vector>

#include "tools/diff_command.h"

namespace finrig {

struct CampaignCommandOptions : ProgramOptions {
  std::vector<std::string> engines;  // NAME or NAME@VERSION; none: DefaultCampaignEngines()
  int jobs = 2;                      // engines run at once
  std::string output = "finrig-campaign";
};

// Every installed engine version with a profile, the system's node, and SpiderMonkey when
// this finrig has its adapter.
std::vector<std::string> DefaultCampaignEngines();

// Exit status: 0 no new bug, 1 new bugs (BugGroup::New: not known, not allowed by the
// profile, and shown at least once by its minimized program alone), 2 bad input or
// usage, or an engine that could not run.
int CampaignCommand(const CampaignCommandOptions& options);

}  // namespace finrig
