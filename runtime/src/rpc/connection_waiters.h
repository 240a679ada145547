// ConnectionWaiters: calls with wait_for_ready waiting for a lost connection to come back, on
// their own thread (Wait) or without blocking one (Then).
#ifndef BROKRPC_SRC_RPC_CONNECTION_WAITERS_H_
#define BROKRPC_SRC_RPC_CONNECTION_WAITERS_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "messaging/broker_core.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// A waiter ends when the connection is settled — up again, or refused (the transport stopped
// retrying) — or at its deadline. Thread-safe; Wake() may run on the I/O thread (it never
// blocks, and runs no waiter there).
class ConnectionWaiters : public std::enable_shared_from_this<ConnectionWaiters> {
 public:
  // `settled`: whether the connection is up or refused now (thread-safe, cheap).
  ConnectionWaiters(BrokerCore& core, std::function<bool()> settled);
  // Ends every waiter left with `then(false)`.
  ~ConnectionWaiters();
  ConnectionWaiters(const ConnectionWaiters&) = delete;
  ConnectionWaiters& operator=(const ConnectionWaiters&) = delete;

  // Blocks until settled or `deadline`; returns whether settled.
  bool Wait(SystemClock::time_point deadline);
  // An id for a waiter to come (Then): Cancel(id) works from now on, so that a cancel hook can
  // be installed before the waiter exists.
  uint64_t Reserve();
  // Waiter `id` (from Reserve): runs `then(true)` once settled (on a handler-pool thread; at
  // once on this thread when settled already), or `then(false)` at `deadline` (on the timer
  // thread), on Cancel(id) (on the cancelling thread; at once when it was cancelled already).
  void Then(uint64_t id, SystemClock::time_point deadline, std::function<void(bool settled)> then);
  // Ends waiter `id` now with `then(false)`; before its Then, makes Then end it at once.
  // Nothing once it ended.
  void Cancel(uint64_t id);
  // The connection came back or was refused: wakes every waiter.
  void Wake();

 private:
  struct Waiter {
    std::function<void(bool)> then;
    uint64_t timer = 0;
  };
  // Removes waiter `id`; returns its callback (empty when it ended already).
  std::function<void(bool)> Take(uint64_t id);

  BrokerCore& core_;
  const std::function<bool()> settled_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Waiter> waiters_;  // mu_
  std::map<uint64_t, bool> reserved_;   // ids reserved, not yet waiting: cancelled? (mu_)
  uint64_t next_id_ = 1;                // mu_
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CONNECTION_WAITERS_H_
