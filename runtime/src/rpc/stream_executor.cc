#include "rpc/stream_executor.h"

namespace brokrpc::internal {

bool StreamExecutor::Post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || max_threads_ == 0) return false;
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size() || threads_.size() >= max_threads_) {
    cv_.notify_one();  // under the lock: Shutdown() may follow at once
  } else {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  return true;
}

void StreamExecutor::Shutdown() {
  std::lock_guard<std::mutex> joining(shutdown_mu_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
    cv_.notify_all();
  }
  for (auto& t : threads) t.join();
}

void StreamExecutor::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      --idle_;
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace brokrpc::internal
