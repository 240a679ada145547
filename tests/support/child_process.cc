#include "support/child_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

extern char** environ;

namespace brokrpc::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  REQUIRE(posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  char buf[16] = {};
  ssize_t n = read(fds[0], buf, sizeof(buf) - 1);  // blocks until "ready" (or exit)
  close(fds[0]);
  INFO("child " << argv[0] << " printed '" << buf << "'");
  REQUIRE(n > 0);
  REQUIRE(std::string(buf).rfind("ready", 0) == 0);
}

ChildProcess::~ChildProcess() { Kill(); }

void ChildProcess::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace brokrpc::testing
