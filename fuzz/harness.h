// What the fuzz targets do, as plain functions: each returns a report when the input
// breaks something and nothing otherwise, so unit tests, the replay driver and
// libFuzzer all run the same code. The targets themselves only abort on a report.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "model/faults.h"
#include "model/program.h"

namespace finrig::fuzz {

// Faults named in the environment variable FINRIG_FAULTS (comma-separated), so that a
// fuzzer binary can be pointed at a broken model to prove it finds the break; for an
// unknown name, the report "FINRIG_FAULTS: unknown fault 'x'" instead.
std::variant<FaultSet, std::string> FaultsFromEnvironment();

// bytes -> program (binary form) -> model -> checker. The report names each violated
// invariant and gives the program as .fr text.
std::optional<std::string> FuzzModel(std::span<const std::uint8_t> bytes, FaultSet faults);

// The judge's self-test: bytes -> program, run on the model playing an engine that
// makes any allowed choice (engines::ModelEngine, choices seeded by the bytes; one input
// in two with the host that delivers everything, judged with --strict), reduced to wire
// lines and judged as an engine's. Every such run is legal: a violation is a false
// alarm. `engineFaults` break that engine, which must then be caught.
std::optional<std::string> FuzzAcceptor(std::span<const std::uint8_t> bytes, FaultSet engineFaults);

// text -> .fr parser: a ParseError is fine, anything else is not; a program that
// parses prints to canonical text that parses back to the same text.
std::optional<std::string> FuzzParse(std::string_view text);

// bytes -> program -> binary and -> text -> program: both roads give the same program.
std::optional<std::string> FuzzRoundTrip(std::span<const std::uint8_t> bytes);

// SpiderMonkey 102 reads NewTarget.prototype before IsCallable (a known bug:
// corpus/engines/spidermonkey-registry-prototype-before-callable.*). A program with
// `registry newtarget throwing callback X` would find it again on every input that has
// one, hiding what else there is: diff_spidermonkey_fuzzer runs such ops with `new`
// instead, which still checks step 2's TypeError.
Program WithoutKnownSpiderMonkeyBug(Program program);

// The program the fuzz targets run for an input: DecodeProgram's, with the callback
// budget capped at kFuzzBudget and each repeat's count cut (to 1 at least) so that the
// ops as written, repeats unrolled, number at most kFuzzOps. A 4 KB input could
// otherwise ask for 10^8 ops, and the checker's work per callback grows with the cells
// a registry has: inputs near the old cap (128 iterations of any body) took
// milliseconds, a hundred times the median. 512 still reaches past 64 cells of a
// registry (corpus/faults/cells-past-64-lost.fr).
inline constexpr int kFuzzBudget = 1000;
inline constexpr std::int64_t kFuzzOps = 512;
Program DecodeForFuzzing(std::span<const std::uint8_t> bytes);

// For the targets: print the report and abort, so libFuzzer saves the input.
void AbortOn(const std::optional<std::string>& report);

// For the targets: FaultsFromEnvironment's faults; its report aborts the target (AbortOn)
// before it judges an input.
FaultSet FaultsOrAbort();

}  // namespace finrig::fuzz
