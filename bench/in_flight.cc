#include "in_flight.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace bench {

// The run's shared state; the callbacks capture only a pointer to it.
struct InFlightRun {
  const StartCall* start = nullptr;
  int calls = 0;
  std::mutex mu;
  std::condition_variable cv;
  int started = 0, finished = 0, failed = 0;  // mu
  std::vector<std::unique_ptr<brokrpc::ClientContext>> contexts;

  void StartOne() {
    int i;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (started >= calls) return;
      i = started++;
    }
    contexts[i] = std::make_unique<brokrpc::ClientContext>();
    (*start)(contexts[i].get(), CallEnded(this));
  }

  void Ended(bool ok) {
    StartOne();  // first: once `finished` reaches `calls`, no callback touches the run
    std::lock_guard<std::mutex> lock(mu);
    ++finished;
    if (!ok) ++failed;
    cv.notify_one();
  }
};

void CallEnded::operator()(bool ok) const { run_->Ended(ok); }

double InFlightThroughput(int calls, int in_flight, const StartCall& start) {
  InFlightRun run;
  run.start = &start;
  run.calls = calls;
  run.contexts.resize(calls);
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < in_flight; ++i) run.StartOne();
  std::unique_lock<std::mutex> lock(run.mu);
  run.cv.wait(lock, [&] { return run.finished == calls; });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (run.failed > 0) std::fprintf(stderr, "%d calls failed\n", run.failed);
  return calls / seconds;
}

}  // namespace bench
