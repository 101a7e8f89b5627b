// What the finrig subcommands share: reading programs and files, writing output, and
// turning option values into faults and profiles, with errors that name the input.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/faults.h"
#include "model/program.h"

namespace finrig {

// Bad input that is not a parse error: unreadable files, unknown names. what() names
// the input: "FILE: cannot open file", "unknown fault 'x' (see 'finrig faults')".
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string ReadFile(const std::string& path);  // "-" reads stdin
void WriteFile(const std::string& path, const std::string& contents);  // "" or "-": stdout
// A program from a .fr file, or from a .bin file (binary form) by its extension.
// Throws ParseError or InputError.
Program LoadProgram(const std::string& path);
FaultSet FaultsFromNames(const std::vector<std::string>& names);
// The --profile option: nullopt when absent (each program's own profile holds).
std::optional<Profile> ProfileOverride(const std::string& name);

}  // namespace finrig
