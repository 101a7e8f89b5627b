// A differential campaign: many programs (a corpus, then generated ones) run on an
// engine in batches, each judged against the model (engines/diff.h); each discrepancy
// is re-run, reduced while the same finding shows, and handed back as data. Printing and
// writing files are the caller's (`finrig diff`); the per-program step is shared with
// diff_spidermonkey_fuzzer, and tests drive the whole campaign with a fake engine.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/diff.h"
#include "engines/engine.h"
#include "engines/profiles.h"
#include "engines/repro.h"
#include "model/signature.h"

namespace finrig::engines {

// The engine `profile` names. Throws std::invalid_argument when it cannot be made: faults
// for an engine other than the model, or an adapter this build lacks.
struct EngineSettings {
  std::uint64_t seed = 1;              // the model's choices (ModelEngine)
  FaultSet faults{};                   // break the model engine; no other can be broken here
  // --strict: the model engine delivers everything it owes, and a process engine checks
  // its liveness after every program (ShellOptions::lazyCanary).
  bool strict = false;
  std::chrono::milliseconds timeout{10000};  // per program, for real engines
  std::size_t workers = 1;  // processes at once, for engines run as processes (ShellOptions)
  // From the engines cache (ChooseEngine); none: the system's node. The others that
  // run as processes (deno, bun) come only from the cache.
  std::optional<InstalledEngine> installed = std::nullopt;
};
std::unique_ptr<Engine> MakeEngine(const EngineProfile& profile, const EngineSettings& settings);
// Whether this build has the in-process SpiderMonkey adapter (FINRIG_SPIDERMONKEY). Its
// engine must run on the thread that made it (a JSContext belongs to one thread).
bool HaveSpiderMonkey();
// JavaScriptCore's shell: FINRIG_JSC, or jsc on PATH; and whether it is there to run.
std::string SystemJsc();
bool HaveJsc();

// The .fr files of a corpus: directories are searched recursively, other paths are taken
// as they are; sorted, so that a campaign's numbering does not depend on the file system.
std::vector<std::string> CorpusFiles(const std::vector<std::string>& paths);

struct Source {
  std::string name;  // a corpus file, or how the program was generated
  Program program;
};

enum class Generator {
  Mutants,    // 1-4 structural edits of a corpus program (random bytes without a corpus)
  Lookalike,  // gen/lookalike.h: cells that look alike, for the judge's self-test
};
std::optional<Generator> GeneratorNamed(std::string_view name);  // "mutants", "lookalike"

// The i-th generated program: a function of (generator, corpus, seed, i) alone.
Source Generate(const std::vector<Source>& corpus, Generator generator, unsigned seed, int i);

// A program as found and as the engine runs it.
struct Case {
  std::string name;
  Program original;
  Program approximated;  // Approximate(original) for the engine's profile
  Program runnable;      // approximated, then WithSettle's ops when judging --strict
};
Case MakeCase(Source source, const DiffOptions& options);

// The per-program step: the engine runs the programs (runnable forms) in one batch and
// each run is judged.
struct Judgement {
  EngineRun run;
  DiffResult result;
};
std::vector<Judgement> RunAndJudge(Engine& engine, const std::vector<const Program*>& programs,
                                   const DiffOptions& options);

// One discrepancy, everything its artifacts are made of.
struct Discrepancy {
  int number = 0;  // 1, 2, ... in the order the campaign found them
  std::string engine;
  Flavor script = Flavor::Node;  // of the .js artifact
  Case found;
  // Of found.runnable; its first finding is the blame, and reduced. Its traces point into
  // found.runnable's ops: move a Discrepancy, never copy it.
  Judgement judgement;
  bool reproduced = false;  // engines are not deterministic: a second run showed a finding
  // found.approximated reduced while a finding the SameAs the first showed, with the
  // engine's profile; or as it was, when not minimized.
  Program reduced;
  Program reducedRunnable;  // what the engine runs for it (the .js artifact)
  std::string reduction;    // "minimized: 9 ops -> 3 (40 engine runs)", or why not
  std::vector<Finding> findings;  // the judgement of the reduced program (or the found one)
  // Not minimized: its first finding reads as those of the discrepancies minimized before
  // it (CampaignOptions::reduceAlike), which all gave this signature; it counts as theirs.
  std::optional<Signature> alike;

  const Finding& Blame() const { return judgement.result.findings.front(); }
  // The reduced program's finding the SameAs the blame (its op is one of reducedRunnable's),
  // or the blame when none is.
  const Finding& Shown() const;
  // One bug, one line (model/signature.h, as the long fuzzing runs file findings): who
  // is blamed and for what, and the reduced program's shape.
  Signature BugSignature() const;
};

struct CampaignOptions {
  std::string engine;  // its name, for the artifacts
  Flavor script = Flavor::Node;  // the .js artifact's (EngineProfile::script)
  DiffOptions judge;
  std::size_t programs = 0;  // generated after the corpus
  Generator generator = Generator::Mutants;
  unsigned seed = 1;
  bool minimize = true;
  // Once this many discrepancies whose first findings read alike (AlikeKey) were
  // minimized and all gave one signature, the later ones are not minimized but counted
  // with it (Discrepancy::alike): an engine with a bug in every callback would otherwise
  // spend a campaign minimizing that one bug. 0: minimize every one.
  int reduceAlike = 3;
};

// What makes two first findings read alike: the blame, its kind and its message, with
// the numbers in it (lines, ops, handles, counts) and the text of its strings (held
// values, tokens) left out.
std::string AlikeKey(const Finding& finding);

struct Tally {
  std::size_t programs = 0;  // run so far
  int discrepancies = 0;
  std::array<int, 3> bySource = {0, 0, 0};  // of the blame, indexed by Finding::Source
  // Programs whose judgement gave up its search (DiffResult::undecided), by name, so that
  // a user can judge them again with a bigger budget.
  std::vector<std::string> undecided;
};

// Called as the campaign goes, so that a long one shows its findings before it ends.
struct CampaignObserver {
  std::function<void(Discrepancy)> discrepancy;
  // A program whose judgement gave up its search (Tally::undecided), as generated.
  std::function<void(const Case&)> undecided;
  // After each batch is judged, before its discrepancies are reduced (which can take
  // minutes): the tally counts them already.
  std::function<void(const Tally&, std::size_t total)> progress;
};

Tally RunCampaign(Engine& engine, const std::vector<Source>& corpus,
                  const CampaignOptions& options, const CampaignObserver& observer);

// The discrepancy as files in `directory`: NNNN-SOURCE.fr (the reduced program, the
// findings in its leading comments), NNNN-SOURCE.js (its standalone repro, engines/repro.h),
// NNNN-SOURCE.test262.js (when the behaviour is one every engine must show) with the
// harness file it includes, harness/finrigRuntime.js; NNNN-SOURCE-original.fr and
// NNNN-SOURCE.wire.js (the script finrig ran on the engine, Discrepancy::script).
std::vector<Artifact> Artifacts(const Discrepancy& discrepancy, const std::string& directory);

// "PREFIXSOURCE: MESSAGE\n" per finding.
std::string FindingLines(const std::vector<Finding>& findings, std::string_view prefix);

}  // namespace finrig::engines
