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

uint64_t ConnectionWaiters::Then(SystemClock::time_point deadline,
                                 std::function<void(bool settled)> then) {
  uint64_t id;
  {
    // Checked under mu_: a Wake() after this check finds the waiter registered.
    std::lock_guard<std::mutex> lock(mu_);
    if (!settled_()) {
      id = next_id_++;
      waiters_.emplace(id, Waiter{std::move(then), 0});
    } else {
      id = 0;
    }
  }
  if (id == 0) {
    then(true);
    return 0;
  }
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
    core_.timers().Cancel(timer);  // woken meanwhile
  }
  return id;
}

void ConnectionWaiters::Cancel(uint64_t id) {
  uint64_t timer = 0;
  std::function<void(bool)> then;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
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
