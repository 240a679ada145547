#include "base/timer_queue.h"

namespace brokrpc::internal {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() { Shutdown(); }

uint64_t TimerQueue::ScheduleAt(Clock::time_point when, std::function<void()> callback) {
  uint64_t id;
  bool earliest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    if (stopping_) return id;
    // Wake the thread only when it would otherwise sleep past `when` (cancelled timers do not
    // move its wake-up; it finds nothing due then and sleeps again).
    earliest = when < wake_at_;
    by_time_.emplace(when, id);
    timers_.emplace(id, std::make_pair(when, std::move(callback)));
  }
  if (earliest) cv_.notify_one();
  return id;
}

bool TimerQueue::Cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return false;
  auto range = by_time_.equal_range(it->second.first);
  for (auto t = range.first; t != range.second; ++t) {
    if (t->second == id) {
      by_time_.erase(t);
      break;
    }
  }
  timers_.erase(it);
  return true;
}

void TimerQueue::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    by_time_.clear();
    timers_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerQueue::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (by_time_.empty()) {
      wake_at_ = Clock::time_point::max();
      cv_.wait(lock);
      continue;
    }
    auto first = by_time_.begin();
    if (first->first > Clock::now()) {
      // A copy: wait_until reads its argument after re-locking, when a Cancel() may have
      // erased the node holding the key.
      const Clock::time_point due = first->first;
      wake_at_ = due;
      cv_.wait_until(lock, due);
      continue;
    }
    wake_at_ = Clock::now();
    uint64_t id = first->second;
    by_time_.erase(first);
    auto it = timers_.find(id);
    std::function<void()> callback = std::move(it->second.second);
    timers_.erase(it);
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace brokrpc::internal
