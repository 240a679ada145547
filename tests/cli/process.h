// Process: a program run by a CLI test, with its standard input, output and error as pipes.
#ifndef BROKRPC_TESTS_CLI_PROCESS_H_
#define BROKRPC_TESTS_CLI_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace brokrpc::testing {

// How a finished program ended and what it printed. Value type.
struct RunResult {
  // The exit status, or 128 + the signal that ended it, or -1 when it had to be killed.
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A running program. All members are for the test's main thread. The destructor kills the
// program (SIGKILL) if it is still running.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void Write(std::string_view text);
  void CloseInput();
  void Signal(int signo);
  // Reads output until `text` appears in standard output (`in_stderr`: standard error), the
  // program closes both, or `timeout` passes. Whether the text was seen.
  bool WaitFor(std::string_view text, bool in_stderr, std::chrono::milliseconds timeout);
  // Closes standard input, reads everything until the program exits (killed after `timeout`).
  RunResult Finish(std::chrono::milliseconds timeout);

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what is available within `timeout`; false once both outputs are closed.
  bool Pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int in_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
};

// Runs `argv` with `input` on standard input; killed after `timeout`.
RunResult Run(const std::vector<std::string>& argv, std::string_view input = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_CLI_PROCESS_H_
