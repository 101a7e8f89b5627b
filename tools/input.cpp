#include "tools/input.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "model/binary.h"
#include "model/text.h"

namespace finrig {
namespace {

bool IsBinaryPath(const std::string& path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".bin") == 0;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError{path + ": cannot open file"};
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw InputError{path + ": cannot read file"};
  return contents.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  if (path.empty() || path == "-") {
    std::cout << contents;
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out << contents;
  out.close();
  if (!out) throw InputError{path + ": cannot write file"};
}

Program LoadProgram(const std::string& path) {
  const std::string contents = ReadFile(path);
  if (IsBinaryPath(path)) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(contents.data());
    return DecodeProgram({bytes, contents.size()});
  }
  return ParseProgram(contents, path);
}

FaultSet FaultsFromNames(const std::vector<std::string>& names) {
  FaultSet faults;
  for (const std::string& name : names) {
    const std::optional<Fault> fault = FaultFromName(name);
    if (!fault) throw InputError{"unknown fault '" + name + "' (see 'finrig faults')"};
    faults.Add(*fault);
  }
  return faults;
}

std::optional<Profile> ProfileOverride(const std::string& name) {
  if (name.empty()) return std::nullopt;
  const std::optional<Profile> profile = ProfileFromName(name);
  if (!profile) throw InputError{"unknown profile '" + name + "' (es2021 or es2023)"};
  return profile;
}

}  // namespace finrig
