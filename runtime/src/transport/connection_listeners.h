// ConnectionListeners: the registered ConnectionListeners of a transport, and their calls.
#ifndef BROKRPC_SRC_TRANSPORT_CONNECTION_LISTENERS_H_
#define BROKRPC_SRC_TRANSPORT_CONNECTION_LISTENERS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "transport/transport.h"

namespace brokrpc::internal {

// Thread-safe. The listeners are called without the lock held (on a copy), except
// on_publish_confirmed, which is called under it (it must be quick and must not add or remove
// listeners).
class ConnectionListeners {
 public:
  uint64_t Add(ConnectionListener listener);
  void Remove(uint64_t id);

  void NotifyLost(const Status& why) const;
  void NotifyRestored() const;
  // True while a listener wants publish confirms timed (one relaxed load).
  bool timing_confirms() const { return timing_confirms_.load(std::memory_order_relaxed) > 0; }
  void NotifyConfirmed(std::chrono::nanoseconds latency) const;

 private:
  std::vector<ConnectionListener> Snapshot() const;

  mutable std::mutex mu_;
  std::map<uint64_t, ConnectionListener> listeners_;  // mu_
  uint64_t next_id_ = 1;                              // mu_
  std::atomic<int> timing_confirms_{0};
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_TRANSPORT_CONNECTION_LISTENERS_H_
