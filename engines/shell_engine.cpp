#include "engines/shell_engine.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

#include "engines/subprocess.h"

namespace finrig::engines {
namespace {

// The script lives in a temporary file for as long as its process runs.
class TempScript {
 public:
  explicit TempScript(const std::string& text) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/finrig-XXXXXX.js";
    const int fd = mkstemps(pattern.data(), 3);
    if (fd < 0) throw std::runtime_error("cannot create a temporary script in " + pattern);
    close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempScript() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::vector<EngineRun> ShellEngine::Run(const std::vector<const Program*>& programs) {
  const std::size_t workers = std::max<std::size_t>(1, options_.workers);
  const std::size_t size =
      std::clamp<std::size_t>((programs.size() + workers - 1) / workers, 1, options_.batchSize);
  std::vector<std::pair<std::size_t, std::size_t>> batches;
  for (std::size_t first = 0; first < programs.size(); first += size) {
    batches.emplace_back(first, std::min(programs.size(), first + size));
  }
  std::vector<std::vector<EngineRun>> results(batches.size());
  std::atomic<std::size_t> next = 0;
  std::mutex failed;
  std::exception_ptr failure;
  const auto work = [&] {
    for (std::size_t b = next++; b < batches.size(); b = next++) {
      try {
        RunBatch(programs, batches[b].first, batches[b].second, results[b]);
      } catch (...) {
        const std::lock_guard lock(failed);
        if (!failure) failure = std::current_exception();
        next = batches.size();  // the engine cannot be run: no more batches
      }
    }
  };
  // std::thread, joined here: libc++ 14 (the libcxx preset) has no std::jthread.
  std::vector<std::thread> helpers;
  for (std::size_t i = 1; i < std::min(workers, batches.size()); ++i) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
  std::vector<EngineRun> runs;
  runs.reserve(programs.size());
  for (std::vector<EngineRun>& batch : results) {
    std::move(batch.begin(), batch.end(), std::back_inserter(runs));
  }
  return runs;
}

void ShellEngine::RunBatch(const std::vector<const Program*>& programs, std::size_t first,
                           std::size_t last, std::vector<EngineRun>& runs) const {
  while (first < last) {
    std::vector<std::pair<std::string, const Program*>> batch;
    for (std::size_t i = first; i < last; ++i) batch.emplace_back(std::to_string(i), programs[i]);
    const TempScript script(EmitBatch(batch, options_.flavor, options_.lazyCanary));
    std::vector<std::string> argv = options_.command;
    argv.push_back(script.path());
    Subprocess process(argv);

    bool began = false;
    std::optional<std::size_t> current;  // the program that has begun and not ended
    std::string output;                  // its lines so far
    const auto finish = [&](EngineRun::End end, std::string detail) {
      runs.push_back(ReadWire(*programs[*current], output, end, std::move(detail)));
      current.reset();
      output.clear();
    };
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    std::string line;
    for (;;) {
      const Subprocess::Read read = process.ReadLine(line, deadline);
      if (read == Subprocess::Read::Line) {
        if (line.starts_with("begin ")) {
          if (current) finish(EngineRun::End::BadOutput, "a program began before the last ended");
          began = true;
          current = std::strtoul(line.c_str() + 6, nullptr, 10);
          if (*current != first) throw std::runtime_error("the engine ran programs out of order");
          deadline = std::chrono::steady_clock::now() + options_.timeout;
        } else if (line == "done") {
          if (first < last) throw std::runtime_error("the engine skipped programs");
          break;
        } else if (line == "stalled" && !current && !runs.empty()) {
          runs.back().stalled = true;
        } else if (current && options_.endsAtThrow && line.starts_with("Exception: ")) {
          // The shell's report of an exception no one caught, before it exits: after a
          // callback's `throw` op, the program's end; anything else, a crash.
          const bool thrown = line == "Exception: finrig throw" && output.ends_with("threw\n");
          process.Kill();
          const std::string status = process.Wait();
          if (thrown) {
            finish(EngineRun::End::EndedAtThrow, "");
          } else {
            finish(EngineRun::End::Crashed,
                   fmt::format("{} ({}; stderr: {})", line, status, process.StderrTail()));
          }
          ++first;
          break;
        } else if (current) {
          output += line;
          output += '\n';
          if (line == "end" || line == "budget") {
            finish(EngineRun::End::Completed, "");
            ++first;
          }
        }
        continue;
      }
      // Timeout or end of output before `done`: the current program is to blame.
      const bool timedOut = read == Subprocess::Read::Timeout;
      if (timedOut) process.Kill();
      const std::string status = process.Wait();
      if (!began) {
        throw std::runtime_error(fmt::format(
            "{} ended ({}) before running a program: {}", options_.command[0], status,
            process.StderrTail()));
      }
      // A program past its callback budget has ended for finrig, but its engine may go
      // on calling back and never reach the next: start afresh from the next. An engine
      // that ends between programs, but for the exit a stall asks for, died of the one
      // it ran last.
      if (!current) {
        if (!timedOut && !runs.empty() && !runs.back().stalled) {
          runs.back().diedAfterEnd = fmt::format("{}; stderr: {}", status, process.StderrTail());
        }
        break;
      }
      finish(timedOut ? EngineRun::End::TimedOut : EngineRun::End::Crashed,
             timedOut ? fmt::format("no end after {} ms", options_.timeout.count())
                      : fmt::format("{}; stderr: {}", status, process.StderrTail()));
      ++first;
      break;
    }
    if (first >= last) return;
  }
}

}  // namespace finrig::engines
