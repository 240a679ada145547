#include "rpc/connection_waiters.h"

#include <vector>

namespace brokrpc::internal {

ConnectionWaiters::ConnectionWaiters(BrokerCore& core, std::function<bool()> settled)
    : core_(core), settled_(std::move(settled)) {}

ConnectionWaiters::~ConnectionWaiters() {
  std::map<uint64_t, Waiter> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [id, w] : left) {
    core_.timers().Cancel(w.timer);
    w.then(false);
  }
}

bool ConnectionWaiters::Wait(SystemClock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, ToSteady(deadline), [this] { return settled_(); });
}

uint64_t ConnectionWaiters::Reserve() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  reserved_.emplace(id, false);
  return id;
}

void ConnectionWaiters::Then(uint64_t id, SystemClock::time_point deadline,
                             std::function<void(bool settled)> then) {
  enum { kWait, kSettled, kCancelled } now;
  {
    // Checked under mu_: a Wake() after this check finds the waiter registered.
    std::lock_guard<std::mutex> lock(mu_);
    auto r = reserved_.find(id);
    const bool cancelled = r != reserved_.end() && r->second;
    if (r != reserved_.end()) reserved_.erase(r);
    if (cancelled) {
      now = kCancelled;
    } else if (settled_()) {
      now = kSettled;
    } else {
      now = kWait;
      waiters_.emplace(id, Waiter{std::move(then), 0});
    }
  }
  if (now != kWait) return then(now == kSettled);
  std::weak_ptr<ConnectionWaiters> weak = weak_from_this();
  uint64_t timer = core_.timers().ScheduleAt(ToSteady(deadline), [weak, id] {
    if (auto self = weak.lock()) {
      if (auto then = self->Take(id)) then(false);
    }
  });
  std::lock_guard<std::mutex> lock(mu_);
  auto it = waiters_.find(id);
  if (it != waiters_.end()) {
    it->second.timer = timer;
  } else {
    core_.timers().Cancel(timer);  // ended meanwhile
  }
}

void ConnectionWaiters::Cancel(uint64_t id) {
  uint64_t timer = 0;
  std::function<void(bool)> then;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) {
      auto r = reserved_.find(id);
      if (r != reserved_.end()) r->second = true;  // Then ends it at once
      return;
    }
    timer = it->second.timer;
    then = std::move(it->second.then);
    waiters_.erase(it);
  }
  if (timer != 0) core_.timers().Cancel(timer);
  then(false);
}

std::function<void(bool)> ConnectionWaiters::Take(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return nullptr;
  std::function<void(bool)> then = std::move(it->second.then);
  waiters_.erase(it);
  return then;
}

void ConnectionWaiters::Wake() {
  std::map<uint64_t, Waiter> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken.swap(waiters_);
  }
  cv_.notify_all();
  for (auto& [id, w] : woken) {
    if (w.timer != 0) core_.timers().Cancel(w.timer);
    // Not on the I/O thread: the waiter starts its attempt, which may block.
    auto run = [then = std::move(w.then)] { then(true); };
    if (!core_.pool().Post(run)) run();
  }
}

}  // namespace brokrpc::internal
