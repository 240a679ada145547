#include "base/thread_pool.h"

#include <algorithm>

namespace brokrpc::internal {
namespace {
thread_local const ThreadPool* current_pool = nullptr;
}

ThreadPool::ThreadPool(size_t size) {
  size = std::max<size_t>(size, 1);
  threads_.reserve(size);
  for (size_t i = 0; i < size; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Post(std::function<void()> task) {
  {
    // Notified under the lock: once the lock is released the pool may be destroyed at once.
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
  return true;
}

void ThreadPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool ThreadPool::OnPoolThread() const { return current_pool == this; }

void ThreadPool::WorkerLoop() {
  current_pool = this;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace brokrpc::internal
