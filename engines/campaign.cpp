#include "engines/campaign.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>

#include "engines/js.h"
#include "engines/model_engine.h"
#include "engines/quickjs_host_js.h"
#include "engines/repro.h"
#include "engines/shell_engine.h"
#include "gen/mutator.h"
#include "gen/lookalike.h"
#include "model/binary.h"
#include "model/minimize.h"
#include "model/text.h"
#ifdef FINRIG_HAVE_SPIDERMONKEY
#include "engines/spidermonkey/engine.h"
#endif

namespace finrig::engines {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 250;  // programs per batch, between progress reports
constexpr std::size_t kMutantMaxBytes = 1024;
constexpr int kMinimizeChecks = 300;  // engine runs per discrepancy, at most

// What the engine runs and the checker judges: the program as the engine can run it.
// With --strict, the engine also runs WithSettle's ops after the program.
Program Runnable(const Program& approximated, bool strict) {
  return strict ? WithSettle(approximated) : approximated;
}

std::vector<Finding> Judge(Engine& engine, const Program& program, const DiffOptions& options) {
  return RunAndJudge(engine, {&program}, options).at(0).result.findings;
}

// What the written .fr says of the discrepancy before its findings.
std::vector<std::string> AboutIt(const Discrepancy& d) {
  return {
      fmt::format("finrig diff --engine {}: {} ({})", d.engine, SourceName(d.Blame().source),
                  d.reduction),
      fmt::format("from {}", d.found.name),
      fmt::format("reproduced on a second run: {}", d.reproduced ? "yes" : "no"),
      fmt::format("minimized while it showed: {}", d.Blame().kind),
      fmt::format("signature: {}", d.BugSignature().Text()),
  };
}

// The reduced program as the .fr artifact has it: a header (AboutIt, then a line per
// finding) first, before the program's own comments; with no op left, after the
// profile line.
Program AsWritten(const Discrepancy& d) {
  std::vector<std::string> header = AboutIt(d);
  for (const Finding& f : d.findings) {
    header.push_back(fmt::format("{}: {}", SourceName(f.source), f.message));
  }
  Program written = d.reduced;
  std::vector<std::string>& comments =
      written.ops.empty() ? written.trailingComments : written.ops.front().comments;
  comments.insert(comments.begin(), header.begin(), header.end());
  return written;
}

// Findings cite lines: the reduced program's ops take the lines the written .fr puts
// them on, and the engine runs it once more, so that the findings cite that file (a
// minimized program's ops had no lines, a found one's those of its source file). A
// header that grows or shrinks with the findings moves the lines: again, a few times.
void NumberAsWritten(Engine& engine, const DiffOptions& options, Discrepancy& d) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::size_t findings = d.findings.size();
    const std::size_t headerLines = AboutIt(d).size() + findings;
    Program numbered = ParseProgram(PrintProgram(AsWritten(d)), d.found.name);
    std::vector<std::string>& comments =
        numbered.ops.empty() ? numbered.trailingComments : numbered.ops.front().comments;
    comments.erase(comments.begin(),
                   comments.begin() + static_cast<std::ptrdiff_t>(headerLines));
    d.reduced = std::move(numbered);
    d.reducedRunnable = Runnable(d.reduced, options.strict);
    d.findings = Judge(engine, d.reducedRunnable, options);
    if (d.findings.size() == findings) return;
  }
}

// Re-runs the discrepancy (does it show again?) and shrinks it while a finding the same
// as its first shows.
// `alike`: the signature the discrepancies minimized before it gave, whose first findings
// read as its own (CampaignOptions::reduceAlike); it is then not minimized.
Discrepancy Reduce(Engine& engine, Case found, Judgement judgement,
                   const CampaignOptions& options, int number,
                   const std::optional<Signature>& alike) {
  const Finding target = judgement.result.findings.front();
  const bool reproduced = !Judge(engine, found.runnable, options.judge).empty();
  Program reduced = found.approximated;
  std::string reduction = "not minimized (--no-minimize)";
  std::vector<Finding> findings = judgement.result.findings;
  if (alike) {
    reduction = fmt::format(
        "not minimized: its first finding reads as those of the {} minimized before it, "
        "which all gave one signature (--reduce-alike)",
        options.reduceAlike);
  } else if (options.minimize) {
    const auto stillFails = [&](const Program& candidate) {
      const Program p = Runnable(Approximate(candidate, options.judge.profile).program,
                                 options.judge.strict);
      const std::vector<Finding> f = Judge(engine, p, options.judge);
      return std::any_of(f.begin(), f.end(), [&](const Finding& x) { return x.SameAs(target); });
    };
    if (const std::optional<MinimizeResult> result = Minimize(
            found.approximated, stillFails, MinimizeOptions{.maxChecks = kMinimizeChecks})) {
      reduced = result->program;
      reduction = fmt::format("minimized: {} ops -> {} ({} engine runs{})",
                              OpCount(found.approximated), OpCount(reduced), result->checks,
                              result->complete ? "" : ", stopped at the budget");
      findings = Judge(engine, Runnable(reduced, options.judge.strict), options.judge);
    } else {
      reduction = "not minimized: its valid form did not show the finding again";
    }
  }
  reduced.profile = options.judge.profile;
  Program reducedRunnable = Runnable(reduced, options.judge.strict);
  Discrepancy d{.number = number,
                .engine = options.engine,
                .script = options.script,
                .found = std::move(found),
                .judgement = std::move(judgement),
                .reproduced = reproduced,
                .reduced = std::move(reduced),
                .reducedRunnable = std::move(reducedRunnable),
                .reduction = std::move(reduction),
                .findings = std::move(findings),
                .alike = alike};
  NumberAsWritten(engine, options.judge, d);
  return d;
}

// The discrepancies minimized so far whose first findings read alike (AlikeKey).
struct AlikeSoFar {
  int minimized = 0;
  std::optional<Signature> signature;  // while all of them gave one
};

// How a process engine is started; the script's path follows.
std::vector<std::string> ShellCommand(const EngineProfile& profile,
                                      const std::optional<InstalledEngine>& installed) {
  if (!installed) {
    if (profile.name == "jsc") return {SystemJsc()};
    if (profile.name != "node") {
      throw std::invalid_argument(fmt::format(
          "{0} runs from the engines cache: --engine {0}@VERSION (tools/engines.sh list)",
          profile.name));
    }
    const char* node = std::getenv("FINRIG_NODE");
    return {node != nullptr ? node : "node", "--expose-gc"};
  }
  if (profile.name == "node") return {installed->entry, "--expose-gc"};
  if (profile.name == "deno") {
    // No update check on each of a campaign's many starts, unless the user asked for one.
    setenv("DENO_NO_UPDATE_CHECK", "1", 0);
    // No permission flag: the script needs none. Its trace is on stderr (js.cpp's Deno
    // prelude), which the adapter reads as stdout: the shell swaps the two.
    return {"sh", "-c", "exec \"$0\" \"$@\" 3>&1 1>&2 2>&3 3>&-", installed->entry, "run",
            "--v8-flags=--expose-gc"};
  }
  if (profile.name == "bun" || profile.name == "spidermonkey") return {installed->entry};
  // QuickJS and quickjs-ng: a wasm build, hosted by the system's node.
  return {"node", "-e", std::string(kQuickJsHostJs), installed->entry};
}

}  // namespace

std::unique_ptr<Engine> MakeEngine(const EngineProfile& profile, const EngineSettings& settings) {
  if (profile.name == "model") {
    return std::make_unique<ModelEngine>(profile.profile, settings.seed, settings.faults,
                                         settings.strict);
  }
  if (!settings.faults.Empty()) {
    throw std::invalid_argument("--engine-fault breaks only --engine model (finrig's own model)");
  }
  // SpiderMonkey is in process but for a version that runs in finrig's host process.
  if (profile.name != "spidermonkey" || settings.installed) {
    return std::make_unique<ShellEngine>(ShellOptions{
        .command = ShellCommand(profile, settings.installed),
        .flavor = profile.name == "spidermonkey" ? Flavor::JsShell : profile.script,
        .timeout = settings.timeout,
        .workers = settings.workers,
        .endsAtThrow = profile.name == "jsc",
        .lazyCanary = !settings.strict,
    });
  }
#ifdef FINRIG_HAVE_SPIDERMONKEY
  if (profile.name == "spidermonkey") return std::make_unique<SpiderMonkeyEngine>(settings.timeout);
#endif
  throw std::invalid_argument(
      fmt::format("this finrig was built without the {} adapter (see README)", profile.name));
}

std::string SystemJsc() {
  const char* jsc = std::getenv("FINRIG_JSC");
  return jsc != nullptr && *jsc != 0 ? jsc : "jsc";
}

bool HaveJsc() {
  const std::string jsc = SystemJsc();
  if (jsc.find('/') != std::string::npos) return access(jsc.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = std::min(dirs.find(':'), dirs.size());
    const std::string file = fmt::format("{}/{}", dirs.substr(0, colon), jsc);
    if (access(file.c_str(), X_OK) == 0) return true;
    dirs.remove_prefix(std::min(colon + 1, dirs.size()));
  }
  return false;
}

bool HaveSpiderMonkey() {
#ifdef FINRIG_HAVE_SPIDERMONKEY
  return true;
#else
  return false;
#endif
}

std::vector<std::string> CorpusFiles(const std::vector<std::string>& paths) {
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
  return files;
}

std::optional<Generator> GeneratorNamed(std::string_view name) {
  if (name == "mutants") return Generator::Mutants;
  if (name == "lookalike") return Generator::Lookalike;
  return std::nullopt;
}

Source Generate(const std::vector<Source>& corpus, Generator generator, unsigned seed, int i) {
  if (generator == Generator::Lookalike) {
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

Case MakeCase(Source source, const DiffOptions& options) {
  Program approximated = Approximate(source.program, options.profile).program;
  Program runnable = Runnable(approximated, options.strict);
  return {std::move(source.name), std::move(source.program), std::move(approximated),
          std::move(runnable)};
}

std::vector<Judgement> RunAndJudge(Engine& engine, const std::vector<const Program*>& programs,
                                   const DiffOptions& options) {
  std::vector<EngineRun> runs = engine.Run(programs);
  std::vector<Judgement> judgements;
  for (std::size_t i = 0; i < programs.size(); ++i) {
    DiffResult result = Diff(*programs[i], runs.at(i), options);
    judgements.push_back({std::move(runs[i]), std::move(result)});
  }
  return judgements;
}

Tally RunCampaign(Engine& engine, const std::vector<Source>& corpus,
                  const CampaignOptions& options, const CampaignObserver& observer) {
  const std::size_t total = corpus.size() + options.programs;
  Tally tally;
  std::map<std::string, AlikeSoFar> alike;  // by AlikeKey
  while (tally.programs < total) {
    std::vector<Case> cases;
    for (std::size_t i = tally.programs; i < std::min(total, tally.programs + kChunk); ++i) {
      cases.push_back(MakeCase(
          i < corpus.size() ? corpus[i]
                            : Generate(corpus, options.generator, options.seed,
                                       static_cast<int>(i - corpus.size())),
          options.judge));
    }
    std::vector<const Program*> programs;
    for (const Case& c : cases) programs.push_back(&c.runnable);
    std::vector<Judgement> judgements = RunAndJudge(engine, programs, options.judge);
    // The batch is counted as soon as it is judged: its reductions can take minutes.
    const int numbered = tally.discrepancies;
    tally.programs += cases.size();
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Judgement& j = judgements[i];
      if (j.result.undecided) {
        tally.undecided.push_back(cases[i].name);
        if (observer.undecided) observer.undecided(cases[i]);
      }
      if (j.result.findings.empty()) continue;
      ++tally.discrepancies;
      ++tally.bySource[static_cast<std::size_t>(j.result.findings.front().source)];
    }
    if (observer.progress) observer.progress(tally, total);
    if (!observer.discrepancy) continue;
    int number = numbered;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (judgements[i].result.findings.empty()) continue;
      AlikeSoFar& sofar = alike[AlikeKey(judgements[i].result.findings.front())];
      const bool counted = options.minimize && options.reduceAlike > 0 &&
                           sofar.minimized >= options.reduceAlike && sofar.signature;
      Discrepancy d = Reduce(engine, std::move(cases[i]), std::move(judgements[i]), options,
                             ++number, counted ? sofar.signature : std::nullopt);
      if (!counted && options.minimize) {
        const Signature signature = d.BugSignature();
        if (sofar.minimized++ == 0) {
          sofar.signature = signature;
        } else if (sofar.signature && sofar.signature->Text() != signature.Text()) {
          sofar.signature.reset();  // one first symptom, several bugs: minimize each
        }
      }
      observer.discrepancy(std::move(d));
    }
  }
  return tally;
}

std::string AlikeKey(const Finding& finding) {
  std::string key = fmt::format("{} {} ", SourceName(finding.source), finding.kind);
  bool quoted = false, escaped = false;
  for (const char c : finding.message) {
    if (quoted) {  // a string's text is a value: left out, quotes kept
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        quoted = false;
        key += c;
      }
    } else if (c >= '0' && c <= '9') {
      if (key.back() != '#') key += '#';
    } else {
      quoted = c == '"';
      key += c;
    }
  }
  return key;
}

Signature Discrepancy::BugSignature() const {
  if (alike) return *alike;
  return {.kind = fmt::format("{} {}", SourceName(Blame().source), Blame().kind),
          .shape = ProgramShape(reduced)};
}

const Finding& Discrepancy::Shown() const {
  const auto same = std::find_if(findings.begin(), findings.end(),
                                 [&](const Finding& f) { return f.SameAs(Blame()); });
  return same != findings.end() ? *same : Blame();
}

std::vector<Artifact> Artifacts(const Discrepancy& d, const std::string& directory) {
  const std::string name = fmt::format("{:04}-{}", d.number, SourceName(d.Blame().source));
  const std::string stem = (fs::path(directory) / name).string();
  const ReproCase repro{
      .name = name, .program = d.reducedRunnable, .finding = d.Shown(), .seen = AboutIt(d)};
  std::vector<Artifact> artifacts = {{stem + ".fr", PrintProgram(AsWritten(d)), true}};
  for (Artifact& file : ReproFiles(repro, d.reduced, directory)) artifacts.push_back(std::move(file));
  artifacts.push_back({stem + "-original.fr", PrintProgram(d.found.original)});
  artifacts.push_back({stem + ".wire.js", EmitScript(d.reducedRunnable, d.script, stem + ".fr")});
  return artifacts;
}

std::string FindingLines(const std::vector<Finding>& findings, std::string_view prefix) {
  std::string out;
  for (const Finding& f : findings) {
    out += fmt::format("{}{}: {}\n", prefix, SourceName(f.source), f.message);
  }
  return out;
}

}  // namespace finrig::engines
