#include "tools/campaign_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engines/matrix.h"
#include "tools/campaign_report.h"
#include "tools/input.h"

namespace finrig {
namespace {

namespace fs = std::filesystem;

// One engine of the campaign, made on the main thread before any worker starts.
struct Entry {
  engines::EngineChoice choice;
  engines::CampaignOptions options;
  std::unique_ptr<engines::Engine> engine;
  engines::EngineReport report;
  bool done = false;  // report is final (but for the bisection, which comes last)
};

// The progress line: one per batch and per discrepancy, from whichever worker.
class Progress {
 public:
  Progress(bool quiet, std::size_t engines) : quiet_(quiet), engines_(engines) {}

  // `reduced` of the `discrepancies` found so far are minimized and written.
  void Line(const std::string& engine, const engines::Tally& tally, std::size_t total,
            int reduced, std::chrono::steady_clock::time_point start) {
    if (quiet_) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::lock_guard lock(mutex_);
    std::cerr << fmt::format("campaign: {}: {}/{} programs, {} discrepancies ({} reduced), "
                             "{:.1f} programs/s ({}/{} engines done)\n",
                             engine, tally.programs, total, tally.discrepancies, reduced,
                             seconds > 0 ? tally.programs / seconds : 0.0, finished_, engines_);
  }
  void Finished(const engines::EngineReport& report) {
    const std::lock_guard lock(mutex_);
    ++finished_;
    if (quiet_) return;
    std::cerr << fmt::format("campaign: {}: {} ({}/{} engines done)\n", report.engine,
                             report.error.empty()
                                 ? fmt::format("{} programs in {:.0f} s, {} bugs, {} new",
                                               report.tally.programs, report.seconds,
                                               report.bugs.size(), report.NewBugs())
                                 : "could not run: " + report.error,
                             finished_, engines_);
  }

 private:
  bool quiet_;
  std::size_t engines_;
  std::size_t finished_ = 0;
  std::mutex mutex_;
};

// report.md and report.json, of the engines done so far until the last is (a long
// campaign shows its findings before it ends), then of all with the bisection.
void WriteReport(const std::vector<engines::EngineReport>& reports, const CampaignRun& run) {
  WriteFile((fs::path(run.options.output) / "report.md").string(), ReportMarkdown(reports, run));
  WriteFile((fs::path(run.options.output) / "report.json").string(),
            ReportJson(reports, run).dump(2) + "\n");
}

void RunEntry(Entry& entry, const std::vector<engines::Source>& corpus, const std::string& output,
              Progress& progress) {
  const std::string directory = (fs::path(output) / entry.choice.name).string();
  const std::size_t total = corpus.size() + entry.options.programs;
  const auto start = std::chrono::steady_clock::now();
  engines::Tally sofar;
  int reduced = 0;
  entry.report = engines::CampaignOn(
      *entry.engine, entry.choice, corpus, entry.options,
      {.keep =
           [&](const engines::Discrepancy& d) {
             fs::create_directories(directory);
             std::vector<std::string> files = WriteDiscrepancy(d, directory);
             progress.Line(entry.choice.name, sofar, total, ++reduced, start);
             return files;
           },
       .progress =
           [&](const engines::Tally& tally, std::size_t) {
             sofar = tally;
             progress.Line(entry.choice.name, sofar, total, reduced, start);
           }});
  engines::Label(entry.report);
  progress.Finished(entry.report);
}

}  // namespace

std::vector<std::string> DefaultCampaignEngines() {
  std::vector<std::string> names = {"node"};
  if (engines::HaveJsc()) names.emplace_back("jsc");
  if (engines::HaveSpiderMonkey()) names.emplace_back("spidermonkey");
  for (const engines::InstalledEngine& engine : engines::InstalledEngines()) {
    if (engines::EngineProfileNamed(engine.name)) {
      names.push_back(engine.name + "@" + engine.version);
    }
  }
  return names;
}

int CampaignCommand(const CampaignCommandOptions& command) {
  if (command.jobs < 1) throw InputError{"--jobs must be at least 1"};
  const std::vector<std::string> names =
      command.engines.empty() ? DefaultCampaignEngines() : command.engines;
  const std::vector<engines::Source> corpus = LoadCorpus(command);
  std::vector<Entry> entries;
  for (const std::string& name : names) {
    engines::EngineChoice choice = ChooseEngine(name);
    if (std::any_of(entries.begin(), entries.end(),
                    [&](const Entry& e) { return e.choice.name == choice.name; })) {
      throw InputError{
          fmt::format("--engine {}: {} is in the campaign already", name, choice.name)};
    }
    engines::CampaignOptions options = CampaignOptionsFor(command, choice);
    std::unique_ptr<engines::Engine> engine = StartEngine(command, choice);
    entries.push_back({std::move(choice), std::move(options), std::move(engine), {}});
  }
  fs::create_directories(command.output);

  // SpiderMonkey in process runs on this thread, which made it; the other engines go to
  // whichever worker is free, this thread included once it is done with SpiderMonkey.
  const auto start = std::chrono::steady_clock::now();
  Progress progress(command.quiet, entries.size());
  std::vector<Entry*> queue;
  Entry* here = nullptr;
  for (Entry& entry : entries) {
    if (entry.choice.profile.name == "spidermonkey" && !entry.choice.installed) {
      here = &entry;
    } else {
      queue.push_back(&entry);
    }
  }
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::mutex doneMutex;
  const auto run = [&](Entry& entry) {
    RunEntry(entry, corpus, command.output, progress);
    const std::lock_guard lock(doneMutex);
    entry.done = true;
    std::vector<engines::EngineReport> sofar;
    for (const Entry& e : entries) {
      if (e.done) sofar.push_back(e.report);
    }
    WriteReport(sofar, {.corpus = corpus.size(), .engines = entries.size(), .options = command,
                        .seconds = seconds()});
  };
  std::atomic<std::size_t> next = 0;
  const auto work = [&] {
    for (std::size_t i; (i = next++) < queue.size();) run(*queue[i]);
  };
  // Joined on the way out, a throw included: std::jthread would do it, but libc++ 14
  // (OSS-Fuzz's standard library, the libcxx preset) has none.
  std::vector<std::thread> workers;
  struct JoinAll {
    std::vector<std::thread>& threads;
    ~JoinAll() { Join(); }
    void Join() {
      for (std::thread& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joinAll{workers};
  const std::size_t helpers = std::min<std::size_t>(command.jobs - 1, queue.size());
  for (std::size_t i = 0; i < helpers; ++i) workers.emplace_back(work);
  if (here != nullptr) run(*here);
  work();
  joinAll.Join();

  std::vector<engines::EngineReport> reports;
  for (Entry& entry : entries) reports.push_back(std::move(entry.report));
  engines::Bisect(reports, engines::InstalledEngines(), [&](const engines::InstalledEngine& e) {
    return StartEngine(command, ChooseEngine(e.name + "@" + e.version));
  });
  WriteReport(reports, {.corpus = corpus.size(), .engines = entries.size(), .options = command,
                        .seconds = seconds()});

  const bool broken = std::any_of(reports.begin(), reports.end(),
                                  [](const engines::EngineReport& r) { return !r.error.empty(); });
  int fresh = 0;
  for (const engines::EngineReport& r : reports) fresh += r.NewBugs();
  std::cout << fmt::format("campaign: {} engines, {} new bug(s){}; report: {}\n", reports.size(),
                           fresh, broken ? ", and engines that could not run" : "",
                           (fs::path(command.output) / "report.md").string());
  return broken ? 2 : fresh > 0 ? 1 : 0;
}

}  // namespace finrig
