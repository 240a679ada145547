// StreamExecutor: the bounded set of threads that run a server's stream handlers.
#ifndef BROKRPC_SRC_RPC_STREAM_EXECUTOR_H_
#define BROKRPC_SRC_RPC_STREAM_EXECUTOR_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace brokrpc::internal {

// Runs posted tasks on at most `max_threads` threads, started as tasks need them and kept for
// the next ones (a stream handler blocks for the stream's life, so they do not share the
// handler pool). A task posted while every thread is busy waits for the next one to be free:
// the server admits at most `max_threads` streams, so such a task only waits for a finishing
// handler's last steps. Thread-safe; Shutdown() must not run on one of its threads.
class StreamExecutor {
 public:
  explicit StreamExecutor(size_t max_threads) : max_threads_(max_threads) {}
  ~StreamExecutor() { Shutdown(); }
  StreamExecutor(const StreamExecutor&) = delete;
  StreamExecutor& operator=(const StreamExecutor&) = delete;

  // False (and `task` dropped) after Shutdown() or when max_threads is 0.
  bool Post(std::function<void()> task);
  // Lets the posted tasks run to their end, then joins the threads. Idempotent; a second
  // caller returns once the first has joined them.
  void Shutdown();

 private:
  void WorkerLoop();

  const size_t max_threads_;
  std::mutex shutdown_mu_;  // held while joining
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  size_t idle_ = 0;  // threads waiting for a task
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_EXECUTOR_H_
