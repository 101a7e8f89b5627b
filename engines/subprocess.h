// A child process whose stdout is read line by line, each read with a deadline, so an
// engine that hangs is stopped and one that dies is noticed. POSIX only.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace finrig::engines {

class Subprocess {
 public:
  // Starts argv[0] (looked up in PATH) with stdin from /dev/null and stderr kept in
  // memory up to a few KiB (for crash reports). Throws std::runtime_error.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();  // kills the child if it still runs
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  enum class Read { Line, Eof, Timeout };
  // A line without its '\n'.
  Read ReadLine(std::string& line, std::chrono::steady_clock::time_point deadline);
  // Kills the child (SIGKILL) and waits for it.
  void Kill();
  // Waits for the child and says how it ended: "exit 0", "signal 11", ...
  std::string Wait();
  // The end of what the child wrote to stderr.
  std::string StderrTail();

 private:
  // Appends one read's worth; false at end of file.
  bool Drain(int fd, std::string& into, bool keepTail);

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string pending_;  // stdout read but not yet returned as lines
  std::string stderr_;
  std::string status_;
};

}  // namespace finrig::engines
