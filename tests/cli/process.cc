#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace brokrpc::testing {

namespace {

void Pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv) {
  signal(SIGPIPE, SIG_IGN);  // a program that exits early must not kill the test
  int in[2], out[2], err[2];
  Pipe(in);
  Pipe(out);
  Pipe(err);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    // The test runner may block signals; the program gets a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Process::~Process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_, out_fd_, err_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void Process::Write(std::string_view text) {
  while (!text.empty() && in_ >= 0) {
    ssize_t n = write(in_, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void Process::CloseInput() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

void Process::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

bool Process::Pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  nfds_t n = 0;
  for (int fd : {out_fd_, err_fd_}) {
    if (fd >= 0) fds[n++] = pollfd{.fd = fd, .events = POLLIN, .revents = 0};
  }
  if (n == 0) return false;
  if (poll(fds, n, static_cast<int>(timeout.count())) <= 0) return true;
  for (nfds_t i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    char buf[4096];
    ssize_t got = read(fds[i].fd, buf, sizeof(buf));
    int& fd = fds[i].fd == out_fd_ ? out_fd_ : err_fd_;
    std::string& into = fds[i].fd == out_fd_ ? out_ : err_;
    if (got > 0) {
      into.append(buf, static_cast<size_t>(got));
    } else {
      close(fd);
      fd = -1;
    }
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

bool Process::WaitFor(std::string_view text, bool in_stderr, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string& where = in_stderr ? err_ : out_;
  while (where.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !Pump(left)) break;
  }
  return where.find(text) != std::string::npos;
}

RunResult Process::Finish(std::chrono::milliseconds timeout) {
  CloseInput();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool killed = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid_, SIGKILL);
      killed = true;
      break;
    }
    if (!Pump(left)) break;
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  // What is still buffered in the pipes (bounded: they are at their end once it exited).
  auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < drain_until && Pump(std::chrono::milliseconds(100))) {
  }
  return RunResult{.exit_code = killed ? -1 : ExitCode(status), .out = out_, .err = err_};
}

RunResult Run(const std::vector<std::string>& argv, std::string_view input,
              std::chrono::milliseconds timeout) {
  Process p(argv);
  p.Write(input);
  return p.Finish(timeout);
}

}  // namespace brokrpc::testing
