#include "signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace brokrpc::cli {
namespace {

sigset_t StopSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set = StopSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStop() {
  sigset_t set = StopSet();
  int signo = 0;
  while (sigwait(&set, &signo) != 0) {
  }
  return signo;
}

void RequestStop() { kill(getpid(), SIGUSR1); }

}  // namespace brokrpc::cli
