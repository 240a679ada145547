// ThreadPool: the fixed set of threads that run handlers and user callbacks.
#ifndef BROKRPC_SRC_BASE_THREAD_POOL_H_
#define BROKRPC_SRC_BASE_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace brokrpc::internal {

// Runs posted tasks on `size` threads in FIFO order. Thread-safe. Tasks posted after Shutdown()
// are dropped (and reported false by Post).
class ThreadPool {
 public:
  explicit ThreadPool(size_t size);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  bool Post(std::function<void()> task);
  // Runs what is queued, then joins the threads. Idempotent; must not run on a pool thread.
  void Shutdown();
  // True on one of this pool's threads.
  bool OnPoolThread() const;
  size_t size() const { return threads_.size(); }

 private:
  void WorkerLoop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_BASE_THREAD_POOL_H_
