#include "engines/subprocess.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

extern char** environ;

namespace finrig::engines {
namespace {

constexpr std::size_t kStderrKept = 8192;

}  // namespace

Subprocess::Subprocess(const std::vector<std::string>& argv) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  // Its own process group, so that Kill also stops what the child started.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int error = posix_spawnp(&pid_, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out[1]);
  close(err[1]);
  out_ = out[0];
  err_ = err[0];
  if (error != 0) {
    close(out_);
    close(err_);
    throw std::runtime_error(fmt::format("cannot run {}: {}", argv[0], std::strerror(error)));
  }
}

Subprocess::~Subprocess() {
  if (pid_ > 0) Kill();
  if (out_ >= 0) close(out_);
  if (err_ >= 0) close(err_);
}

bool Subprocess::Drain(int fd, std::string& into, bool keepTail) {
  char buffer[65536];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;
  into.append(buffer, static_cast<std::size_t>(n));
  if (keepTail && into.size() > kStderrKept) into.erase(0, into.size() - kStderrKept);
  return true;
}

Subprocess::Read Subprocess::ReadLine(std::string& line,
                                      std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (const std::size_t newline = pending_.find('\n'); newline != std::string::npos) {
      line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return Read::Line;
    }
    if (out_ < 0) return Read::Eof;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Read::Timeout;
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    const int ready = poll(fds, err_ >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (ready <= 0) continue;
    if (err_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0 && !Drain(err_, stderr_, true)) {
      close(err_);
      err_ = -1;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP)) != 0 && !Drain(out_, pending_, false)) {
      close(out_);  // end of file
      out_ = -1;
      if (pending_.empty()) return Read::Eof;
      line = std::move(pending_);  // a last line without '\n'
      pending_.clear();
      return Read::Line;
    }
  }
}

void Subprocess::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  Wait();
}

std::string Subprocess::Wait() {
  if (pid_ <= 0) return status_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  while (err_ >= 0 && Drain(err_, stderr_, true)) {  // what the child wrote last
  }
  status_ = WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                : fmt::format("exit {}", WEXITSTATUS(status));
  return status_;
}

std::string Subprocess::StderrTail() { return stderr_; }

}  // namespace finrig::engines
