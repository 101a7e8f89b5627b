// finrig: run .fr programs on the reference model and judge their traces; minimize a
// failing program; list the injectable faults; convert between the text and binary
// program forms.
// Exit status: 0 all held, 1 a violation or failed expectation, 2 bad input or usage.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engines/js.h"
#include "engines/test262.h"
#include "tools/campaign_command.h"
#include "tools/diff_command.h"
#include "tools/input.h"
#include "model/binary.h"
#include "model/checker.h"
#include "model/faults.h"
#include "model/minimize.h"
#include "model/model.h"
#include "model/signature.h"
#include "model/text.h"

namespace finrig {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;

struct RunOptions {
  std::vector<std::string> files;
  bool trace = false;
  bool quiet = false;
  std::string profile;
  std::vector<std::string> faults;
};

int Run(const RunOptions& options) {
  const FaultSet faults = FaultsFromNames(options.faults);
  const std::optional<Profile> profile = ProfileOverride(options.profile);
  int passed = 0, failed = 0, unreadable = 0;
  for (const std::string& file : options.files) {
    Program program;
    try {
      program = LoadProgram(file);
    } catch (const ParseError& e) {
      std::cerr << e.what() << "\n";
      ++unreadable;
      continue;
    } catch (const InputError& e) {
      std::cerr << e.what() << "\n";
      ++unreadable;
      continue;
    }
    const Profile used = profile.value_or(program.profile);
    const Trace trace = RunProgram(program, faults, used);
    if (options.trace) std::cout << "== " << file << "\n" << PrintTrace(program, trace);
    const std::vector<Violation> violations =
        CheckTrace(program, trace, CheckOptions{.profile = used, .strict = true});
    for (const Violation& v : violations) std::cout << FormatViolation(v, file) << "\n";
    if (violations.empty()) {
      ++passed;
      if (!options.quiet) std::cout << file << ": ok\n";
    } else {
      ++failed;
    }
  }
  std::cout << fmt::format("run: {} passed, {} failed", passed, failed);
  if (unreadable > 0) std::cout << fmt::format(", {} unreadable", unreadable);
  std::cout << "\n";
  if (unreadable > 0) return kExitBadInput;
  return failed > 0 ? kExitViolation : kExitOk;
}

struct MinimizeCommandOptions {
  std::string file;
  std::string output;
  std::string profile;
  std::vector<std::string> faults;
  std::vector<int> invariants;
};

// Only the chosen ones (by number) among the invariants the target has.
void NarrowTarget(FailureTarget& target, const std::vector<int>& chosen, const std::string& file) {
  std::vector<Invariant> narrowed;
  for (int number : chosen) {
    const auto it = std::find_if(target.invariants.begin(), target.invariants.end(),
                                 [&](Invariant i) { return InvariantNumber(i) == number; });
    if (it == target.invariants.end()) {
      std::vector<int> violated;
      for (Invariant i : target.invariants) violated.push_back(InvariantNumber(i));
      throw InputError{fmt::format("{}: invariant {} is not violated (violated: {})", file,
                                   number, fmt::join(violated, ", "))};
    }
    // Each once: a run violates an invariant once or more, never "twice" in the
    // predicate's counting (std::includes counts repeats).
    if (std::find(narrowed.begin(), narrowed.end(), *it) == narrowed.end()) narrowed.push_back(*it);
  }
  target.invariants = std::move(narrowed);
}

// Shrinks a program while a run of it (same faults, same profile) still violates every
// invariant the original violates, or the chosen ones among them. Reports on stderr,
// since the program may go to stdout.
int MinimizeCommand(const MinimizeCommandOptions& options) {
  const FaultSet faults = FaultsFromNames(options.faults);
  Program program = LoadProgram(options.file);
  // The output names the profile it failed under, so `finrig run` on it needs no option.
  program.profile = ProfileOverride(options.profile).value_or(program.profile);
  std::optional<FailureTarget> target = TargetOf(program, faults, program.profile);
  if (!target) {
    throw InputError{options.file +
                     ": nothing to minimize: no invariant is violated (failed expect lines do "
                     "not count)"};
  }
  if (!options.invariants.empty()) NarrowTarget(*target, options.invariants, options.file);
  for (Invariant invariant : target->invariants) {
    std::cerr << "minimize: target: " << InvariantLabel(invariant) << "\n";
  }
  const std::optional<MinimizeResult> minimized = Minimize(program, StillViolates(*target));
  // TargetOf ran the program as loaded; what shrinks is its valid form (what the binary
  // form keeps).
  if (!minimized) throw InputError{options.file + ": the program does not fail to begin with"};
  const MinimizeResult& result = *minimized;
  WriteFile(options.output, PrintProgram(result.program));
  std::cerr << fmt::format("minimize: {} ops -> {} ops ({} checks)\n", OpCount(program),
                           OpCount(result.program), result.checks);
  if (!result.complete) {
    std::cerr << "minimize: stopped at the check budget: the result fails, but may not be "
                 "minimal (minimize it again to go on)\n";
  }
  return kExitOk;
}

struct SignatureCommandOptions {
  std::string file;
  std::string output;
  std::string profile;
  std::vector<std::string> faults;
};

// Prints "ID<TAB>KIND | SHAPE", the signature of the bug a program shows (of its
// simplest witness: model/signature.h), and writes the witness to --output: how
// tools/fuzz-forever.sh files each failing input, one report per distinct bug.
int SignatureCommand(const SignatureCommandOptions& options) {
  const Program program = LoadProgram(options.file);
  const Profile used = ProfileOverride(options.profile).value_or(program.profile);
  const std::optional<Witness> witness =
      SimplestWitness(program, FaultsFromNames(options.faults), used);
  if (!witness) {
    std::cerr << options.file << ": no invariant is violated, so no signature\n";
    return kExitOk;
  }
  if (!options.output.empty()) WriteFile(options.output, PrintProgram(witness->program));
  std::cout << witness->signature.Id() << "\t" << witness->signature.Text() << "\n";
  return kExitViolation;
}

// The checker's search budget, for every command that judges an engine's trace.
void AddSearchRuns(CLI::App& command, int& runs) {
  command
      .add_option("--search-runs", runs,
                  "Walks of the trace the judgement's search over hidden choices may make "
                  "before it gives up undecided and passes the trace (0: no limit, an exact "
                  "judgement however long it takes)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

// The options `diff` and `campaign` share (ProgramOptions).
void AddProgramOptions(CLI::App& command, ProgramOptions& options) {
  command.add_option("--programs", options.programs,
                     "Also run N generated programs: mutants of the corpus programs, or "
                     "decoded random bytes without a corpus");
  command.add_option("--generator", options.generator,
                     "What --programs makes: mutants (of the corpus programs) or lookalike "
                     "(programs full of cells that look alike, for the judge's self-test)")
      ->capture_default_str();
  command.add_option("--seed", options.seed, "Seed for --programs")->capture_default_str();
  command.add_option("--corpus", options.corpus, ".fr files or directories of them (repeatable)")
      ->allow_extra_args(false);
  command.add_flag("--strict", options.strict,
                   "Also require completeness: after a final full gc and three turns, "
                   "every cell whose target nothing reaches has had its callback");
  command.add_flag("--letter", options.letter,
                   "Hold the engine to the letter of ECMA-262: a cleanup job re-posted "
                   "after a throwing callback, without a collection to enqueue it, is a "
                   "finding even where the engine's profile declares the habit");
  command.add_flag("!--no-minimize", options.minimize, "Write discrepancies as found");
  command
      .add_option("--reduce-alike", options.reduceAlike,
                  "Once N discrepancies whose first findings read alike (blame, kind and "
                  "message, its numbers and strings' text aside) were minimized to one "
                  "signature, count the later ones with it without minimizing them (their "
                  "reports say so); 0: minimize every one")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--fault", options.faults,
                  "Inject a fault into the model, the oracle (repeatable): the diff must "
                  "then blame finrig")
      ->allow_extra_args(false);
  command
      .add_option("--engine-fault", options.engineFaults,
                  "With --engine model: inject a fault into the model playing the engine "
                  "(repeatable): the diff must then blame the engine")
      ->allow_extra_args(false);
  command.add_option("--timeout-ms", options.timeoutMs, "Per program")->capture_default_str();
  command
      .add_option("--workers", options.workers,
                  "Engine processes running programs at once, for the engines run as "
                  "processes (node, deno, bun, quickjs); each program still runs alone in "
                  "its process, but the engines share the cores (timing-sensitive runs, "
                  "like --strict's, see more load)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command
      .add_option("--replay-runs", options.replayRuns,
                  "Runs of the model each replay of an accepted engine trace may make before "
                  "it gives up undecided (0: no replay; disagreements then come only from ops "
                  "whose results do not depend on the engine's choices)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  AddSearchRuns(command, options.searchRuns);
  command.add_flag("-q,--quiet", options.quiet, "No progress lines on stderr");
}

int Main(int argc, char** argv) {
  CLI::App app{
      "finrig: a fuzzing and property-testing rig for JavaScript FinalizationRegistry "
      "semantics.\nPrograms are .fr text files (docs/LANGUAGE.md) or .bin files in the "
      "binary form.\nExit status: 0 all held, 1 a violation or failed expectation, 2 bad "
      "input or usage.",
      "finrig"};
  app.require_subcommand(1);

  RunOptions run;
  CLI::App* runCommand = app.add_subcommand(
      "run", "Run programs on the reference model; check every invariant and expect line");
  runCommand->add_option("files", run.files, "Programs (.fr, or .bin for the binary form; - for stdin)")
      ->required();
  runCommand->add_flag("--trace", run.trace, "Print each program's trace");
  runCommand->add_flag("-q,--quiet", run.quiet, "Print only violations and the summary");
  runCommand->add_option("--profile", run.profile,
                         "es2021 (only objects held weakly) or es2023 (also symbols); "
                         "default: the file's '# profile:' line, else es2023");
  // One name per --fault, so that `--fault X a.fr b.fr` leaves the files alone.
  runCommand
      ->add_option("--fault", run.faults,
                   "Inject a fault into the model (repeatable; names from 'finrig faults')")
      ->allow_extra_args(false);

  MinimizeCommandOptions minimize;
  CLI::App* minimizeCommand = app.add_subcommand(
      "minimize",
      "Shrink a program that violates an invariant to a small one that still violates it");
  minimizeCommand->footer(
      "The target is every invariant the program violates under the given faults and "
      "profile (failed expect lines do not count), or those chosen with --invariant; a "
      "smaller program is kept while it violates each of them. The output is canonical "
      ".fr text with its profile and without comments or expect lines; 'finrig run' with "
      "the same --fault options exits 1 on it.\nExit status: 0 minimized, 2 bad input or "
      "usage, or no invariant violated.");
  minimizeCommand->add_option("file", minimize.file, "Program (.fr, or .bin; - for stdin)")
      ->required();
  minimizeCommand->add_option("-o,--output", minimize.output, "Write here instead of stdout");
  minimizeCommand->add_option("--profile", minimize.profile,
                              "es2021 or es2023; default: the file's '# profile:' line");
  minimizeCommand
      ->add_option("--fault", minimize.faults,
                   "Inject a fault into the model (repeatable; names from 'finrig faults')")
      ->allow_extra_args(false);
  minimizeCommand
      ->add_option("--invariant", minimize.invariants,
                   "Target only this one of the violated invariants (repeatable; default: all)")
      ->allow_extra_args(false);

  bool verbose = false;
  SignatureCommandOptions signature;
  CLI::App* signatureCommand = app.add_subcommand(
      "signature", "Print what makes a failing program's bug the same as another's");
  signatureCommand->footer(
      "Output: ID<TAB>KIND | SHAPE, e.g. 'invariant-5-at-turn-0c1d2e3f\tinvariant 5 at turn | "
      "register gc turn'. The program is first minimized while it violates anything, and "
      "for each invariant it violates alone; the smallest result is the witness (-o "
      "writes it). KIND is the witness's first violation and its op, SHAPE its ops but "
      "those that only make or clear values. Two "
      "programs with the same ID show the same bug.\nExit status: 1 a violation (signature "
      "printed), 0 none, 2 bad input or usage.");
  signatureCommand->add_option("file", signature.file, "Program (.fr, or .bin; - for stdin)")
      ->required();
  signatureCommand->add_option("-o,--output", signature.output, "Write the witness here");
  signatureCommand->add_option("--profile", signature.profile,
                               "es2021 or es2023 (default: the file's)");
  signatureCommand
      ->add_option("--fault", signature.faults,
                   "Inject a fault into the model (repeatable; names from 'finrig faults')")
      ->allow_extra_args(false);

  CLI::App* faultsCommand = app.add_subcommand("faults", "List the injectable fault names");
  faultsCommand->add_flag("-v,--verbose", verbose, "Also say what each fault does");

  std::string input, output;
  CLI::App* fmtCommand = app.add_subcommand("fmt", "Print a program as canonical .fr text");
  fmtCommand->add_option("file", input, "Program (.fr or .bin; - for stdin)")->required();
  fmtCommand->add_option("-o,--output", output, "Write here instead of stdout");

  CLI::App* encodeCommand =
      app.add_subcommand("encode", "Write a .fr program in the binary form (drops comments and expect lines)");
  encodeCommand->add_option("file", input, "Program (.fr; - for stdin)")->required();
  encodeCommand->add_option("-o,--output", output, "Output .bin file")->required();

  std::string flavor = "node";
  CLI::App* jsCommand = app.add_subcommand("js", "Write a program as a script for a JS engine");
  jsCommand->footer(
      "The script prints the program's trace in finrig's wire format (engines/wire.h). "
      "An engine cannot be told what to collect or how to run cleanup jobs: `gc @N…` runs "
      "as a full gc and `turn` options are dropped; the script's header lists each such "
      "approximation, and expect lines other than ok/TypeError are dropped; the script "
      "asserts the results no engine choice can change. Test262 tests include the runtime "
      "as the harness file finrigRuntime.js, which --test262-include writes.");
  bool test262Include = false;
  CLI::Option* jsFile = jsCommand->add_option("file", input, "Program (.fr or .bin; - for stdin)");
  jsCommand->add_option("--flavor", flavor, "The host: node, deno, bun, quickjs, jsshell, jsc or test262")
      ->capture_default_str();
  jsCommand->add_option("-o,--output", output, "Write here instead of stdout");
  jsCommand
      ->add_flag("--test262-include", test262Include,
                 "Write the test262 harness file finrigRuntime.js instead of a program")
      ->excludes(jsFile);

  DiffCommandOptions diff;
  CLI::App* diffCommand = app.add_subcommand(
      "diff", "Run programs on a real JS engine and judge it against the model");
  diffCommand->footer(
      "Each program runs as the engine can run it (see 'finrig js'); the engine's trace is "
      "judged by the checker in acceptor mode (any allowed choice of what to collect and "
      "how to clean up passes), the model's own run is judged strictly, and the two are "
      "compared op by op up to where the engine's choices make them part. Each "
      "discrepancy is minimized (re-running the engine) and written to the output "
      "directory as NNNN-SOURCE.fr (with the findings as comments), NNNN-SOURCE-original.fr "
      "and NNNN-SOURCE.js (for node). SOURCE says who is wrong: engine, finrig (the model) "
      "or disagree (to triage).\nExit status: 0 no discrepancy, 1 discrepancies, 2 bad "
      "input or usage.");
  diffCommand->add_option("--engine", diff.engine,
                          "Engine profile (see 'finrig engines'), or NAME@VERSION of one "
                          "tools/engines.sh installed (VERSION exact or a prefix: node@22)")
      ->capture_default_str();
  AddProgramOptions(*diffCommand, diff);
  diffCommand->add_option("-o,--output", diff.output, "Directory for discrepancies")
      ->capture_default_str();

  CampaignCommandOptions campaign;
  campaign.corpus = {"corpus"};
  CLI::App* campaignCommand = app.add_subcommand(
      "campaign", "Run 'finrig diff' on many engines and versions at once, and report bugs");
  campaignCommand->footer(
      "Each engine runs the corpus and the generated programs as 'finrig diff' would; "
      "its discrepancies are minimized and written to DIR/ENGINE/ as diff writes them, and "
      "grouped by signature, so that one bug is one line. Each bug's minimized program is "
      "re-run alone 3 times (never shown alone: noise), run on the other installed "
      "versions of its engine (the first and last that show it, by bisection), and "
      "labelled known when the engine's profile lists it for that version ('finrig "
      "engines'), or allowed when it is a --strict loss of liveness on an engine whose "
      "profile does not promise completeness. DIR/report.md is for people, DIR/report.json for machines. SpiderMonkey "
      "runs on the main thread, as one of the --jobs.\nExit status: 0 no new bug, 1 new "
      "bugs (neither known, allowed nor noise), 2 bad input or usage, or an engine that "
      "could not run.");
  campaignCommand
      ->add_option("--engine", campaign.engines,
                   "NAME or NAME@VERSION, as for 'finrig diff' (repeatable); default: every "
                   "installed version (tools/engines.sh), the system's node, its jsc if on "
                   "PATH and, when built, spidermonkey")
      ->allow_extra_args(false);
  campaignCommand->add_option("-j,--jobs", campaign.jobs, "Engines run at once")
      ->capture_default_str();
  AddProgramOptions(*campaignCommand, campaign);
  campaignCommand->get_option("--corpus")->capture_default_str();
  campaignCommand->add_option("-o,--output", campaign.output, "Directory for the report")
      ->capture_default_str();

  CheckCommandOptions check;
  CLI::App* checkCommand = app.add_subcommand(
      "check", "Judge a trace recorded from a JS engine (wire format) against a program");
  checkCommand->footer(
      "PROGRAM is what the engine ran: the .fr given to 'finrig js'. TRACE is what the "
      "script printed (docs/WIRE.md; lines starting with # and the begin line are "
      "skipped). The trace is judged as 'finrig diff' judges an engine's: accepted if "
      "some choice ECMA-262 allows explains it, otherwise each finding names the "
      "invariant and why.\nExit status: 0 accepted, 1 findings, 2 bad input or usage.");
  checkCommand->add_option("program", check.program, "The program (.fr or .bin)")->required();
  checkCommand->add_option("--trace", check.trace, "The engine's output")->required();
  checkCommand->add_option("--profile", check.profile,
                           "The engine's profile, es2021 or es2023; default: the program's");
  checkCommand->add_flag("--strict", check.strict,
                         "Also require completeness (the program ends with a full gc and turns)");
  checkCommand->add_flag("--letter", check.letter,
                         "A cleanup job re-posted after a throwing callback is a finding "
                         "(beyond the letter of ECMA-262; V8 does it)");
  AddSearchRuns(*checkCommand, check.searchRuns);
  checkCommand->add_option("--report", check.report,
                           "Write the first finding's upstream-ready report to this directory: "
                           "NAME.js (a standalone repro), and NAME.test262.js with "
                           "harness/finrigRuntime.js when every engine must behave so "
                           "(NAME: the program's file name)");

  CLI::App* enginesCommand =
      app.add_subcommand("engines", "List the engine profiles 'finrig diff' knows, and the installed versions");

  CLI::App* decodeCommand = app.add_subcommand("decode", "Print a binary program as .fr text");
  decodeCommand->add_option("file", input, "Binary program (any bytes decode; - for stdin)")
      ->required();
  decodeCommand->add_option("-o,--output", output, "Write here instead of stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? kExitOk : kExitBadInput;
  }

  try {
    if (runCommand->parsed()) return Run(run);
    if (minimizeCommand->parsed()) return MinimizeCommand(minimize);
    if (signatureCommand->parsed()) return SignatureCommand(signature);
    if (faultsCommand->parsed()) {
      for (Fault fault : AllFaults()) {
        std::cout << FaultName(fault);
        if (verbose) std::cout << "\t" << FaultSummary(fault);
        std::cout << "\n";
      }
      return kExitOk;
    }
    if (diffCommand->parsed()) return DiffCommand(diff);
    if (campaignCommand->parsed()) return CampaignCommand(campaign);
    if (checkCommand->parsed()) return CheckCommand(check);
    if (enginesCommand->parsed()) {
      PrintEngineProfiles();
      return kExitOk;
    }
    if (jsCommand->parsed() && test262Include) {
      WriteFile(output, engines::Test262Include());
    } else if (jsCommand->parsed()) {
      if (input.empty()) throw InputError{"finrig js: a program file is needed"};
      const std::optional<engines::Flavor> host = engines::FlavorFromName(flavor);
      if (!host) throw InputError{"unknown flavor '" + flavor + "' (node, deno, bun, quickjs, jsshell, jsc, test262)"};
      const engines::Approximation approximation = engines::Approximate(LoadProgram(input));
      if (const std::string_view obstacle = engines::Test262Obstacle(approximation.program);
          *host == engines::Flavor::Test262 && !obstacle.empty()) {
        throw InputError{input + ": cannot be a test262 test: " + std::string(obstacle)};
      }
      WriteFile(output, engines::EmitScript(approximation.program, *host, input,
                                            approximation.changes));
    } else if (fmtCommand->parsed()) {
      WriteFile(output, PrintProgram(LoadProgram(input)));
    } else if (encodeCommand->parsed()) {
      const std::vector<std::uint8_t> bytes = EncodeProgram(ParseProgram(ReadFile(input), input));
      WriteFile(output, std::string(bytes.begin(), bytes.end()));
    } else if (decodeCommand->parsed()) {
      const std::string contents = ReadFile(input);
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(contents.data());
      WriteFile(output, PrintProgram(DecodeProgram({bytes, contents.size()})));
    }
    return kExitOk;
  } catch (const ParseError& e) {
    std::cerr << e.what() << "\n";
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
  }
  return kExitBadInput;
}

}  // namespace
}  // namespace finrig

int main(int argc, char** argv) { return finrig::Main(argc, argv); }
