// ChildProcess: a helper program run by a test, waited for until it prints "ready".
#ifndef BROKRPC_TESTS_SUPPORT_CHILD_PROCESS_H_
#define BROKRPC_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace brokrpc::testing {

// Spawns `argv[0]` with `argv` and blocks until its first line of output starts with "ready"
// (a test failure otherwise). The destructor kills it if it is still running.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Signal(int signo);
  // Kills it (SIGKILL) and reaps it.
  void Kill();
  // Waits for it to exit; its exit status (or 128 + signal).
  int Wait();

 private:
  pid_t pid_ = -1;
};

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_SUPPORT_CHILD_PROCESS_H_
