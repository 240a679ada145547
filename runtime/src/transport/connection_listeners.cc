#include "transport/connection_listeners.h"

namespace brokrpc::internal {

uint64_t ConnectionListeners::Add(ConnectionListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  if (listener.on_publish_confirmed) timing_confirms_.fetch_add(1, std::memory_order_relaxed);
  uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void ConnectionListeners::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  if (it->second.on_publish_confirmed) timing_confirms_.fetch_sub(1, std::memory_order_relaxed);
  listeners_.erase(it);
}

std::vector<ConnectionListener> ConnectionListeners::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConnectionListener> out;
  out.reserve(listeners_.size());
  for (const auto& [id, l] : listeners_) out.push_back(l);
  return out;
}

void ConnectionListeners::NotifyLost(const Status& why) const {
  for (const auto& l : Snapshot()) {
    if (l.on_lost) l.on_lost(why);
  }
}

void ConnectionListeners::NotifyRestored() const {
  for (const auto& l : Snapshot()) {
    if (l.on_restored) l.on_restored();
  }
}

void ConnectionListeners::NotifyConfirmed(std::chrono::nanoseconds latency) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, l] : listeners_) {
    if (l.on_publish_confirmed) l.on_publish_confirmed(latency);
  }
}

}  // namespace brokrpc::internal
