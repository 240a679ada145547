// Server::RunUntilSignalled: serve until SIGINT / SIGTERM (BrokRPC's run_until_terminated).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "base/log.h"
#include "brokrpc/server.h"

namespace brokrpc {
namespace {

std::atomic<int> g_signal_pipe{-1};

extern "C" void WriteSignalToPipe(int signo) {
  int fd = g_signal_pipe.load();
  if (fd < 0) return;
  unsigned char byte = static_cast<unsigned char>(signo);
  int saved = errno;
  [[maybe_unused]] ssize_t n = write(fd, &byte, 1);
  errno = saved;
}

}  // namespace

Status Server::RunUntilSignalled(std::chrono::milliseconds drain,
                                 std::initializer_list<int> signals) {
  std::vector<int> sigs(signals.begin(), signals.end());
  if (sigs.empty()) {
    sigs.push_back(SIGINT);
    sigs.push_back(SIGTERM);
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return InternalError(std::string("RunUntilSignalled: pipe: ") + std::strerror(errno));
  }
  int expected = -1;
  if (!g_signal_pipe.compare_exchange_strong(expected, fds[1])) {
    close(fds[0]);
    close(fds[1]);
    return FailedPreconditionError("RunUntilSignalled is already running in this process");
  }
  std::vector<struct sigaction> saved(sigs.size());
  for (size_t i = 0; i < sigs.size(); ++i) {
    struct sigaction sa {};
    sa.sa_handler = WriteSignalToPipe;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, &saved[i]);
  }
  Status started = Start();
  std::thread watcher;
  if (started.ok()) {
    watcher = std::thread([this, fd = fds[0], drain] {
      unsigned char byte = 0;
      ssize_t n;
      do {
        n = read(fd, &byte, 1);
      } while (n < 0 && errno == EINTR);
      if (n == 1 && byte != 0) {
        BROKRPC_LOG_INFO("signal {} received: shutting down (drain {} ms)", byte, drain.count());
        Shutdown(drain).IgnoreError();
      }
    });
    Wait();
    unsigned char zero = 0;  // wakes the watcher when Shutdown came from elsewhere
    [[maybe_unused]] ssize_t n = write(fds[1], &zero, 1);
    watcher.join();
  }
  for (size_t i = 0; i < sigs.size(); ++i) sigaction(sigs[i], &saved[i], nullptr);
  g_signal_pipe = -1;
  close(fds[0]);
  close(fds[1]);
  return started;
}

}  // namespace brokrpc
