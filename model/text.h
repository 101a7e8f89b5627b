// The .fr text form (docs/LANGUAGE.md): parse with located errors, print canonically.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "model/program.h"

namespace finrig {

// Bad input: where (1-based line and column; column counts bytes) and what was
// expected. what() is "FILE:LINE:COL: message".
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, int line, int column, std::string message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_, column_;
  std::string message_;
};

// `file` only names the source in errors. Throws ParseError.
Program ParseProgram(std::string_view text, const std::string& file = "<input>");

// Canonical text; ParseProgram(PrintProgram(p)) prints the same again.
std::string PrintProgram(const Program& program);

// One op as one line of canonical text (no body, no expectations, no comments):
// "register h1 h0 \"x\"", "h2 = registry", "turn jobs 1 0 limit 2". For traces.
std::string PrintOpHead(const Op& op);

}  // namespace finrig
