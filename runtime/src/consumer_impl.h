// ConsumerImpl: a running consumer — dispatch to the pool, settlement, cancel and drain.
#ifndef BROKRPC_SRC_CONSUMER_IMPL_H_
#define BROKRPC_SRC_CONSUMER_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "broker_core.h"
#include "brokrpc/consumer.h"

namespace brokrpc::internal {

// Settles one delivery; callable once, from any thread.
using Settle = std::function<void(const ConsumeResult&)>;

// Handles one delivery on a pool thread and eventually calls `settle` (possibly later, from
// another thread — the RPC server settles when its reply is confirmed).
using AsyncConsumerHandler = std::function<void(Message& message, Settle settle)>;

// Thread-safe. Owned through shared_ptr: in-flight deliveries keep it alive.
class ConsumerImpl : public std::enable_shared_from_this<ConsumerImpl> {
 public:
  ConsumerImpl(BrokerCore& core, std::string queue, AsyncConsumerHandler handler);
  ~ConsumerImpl();

  // basic.consume with `prefetch` and `exclusive`.
  Status Start(uint16_t prefetch, bool exclusive);
  // Cancel = StopDeliveries + WaitIdle + Release.
  Status Cancel(std::chrono::milliseconds drain);
  // basic.cancel: no delivery is dispatched after it returns; queued ones are not started.
  Status StopDeliveries();
  // Waits until no delivery is in flight, or `deadline`; returns whether it drained.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  // Closes the consumer's channel: unsettled deliveries go back to the queue. Idempotent.
  void Release();

  const std::string& queue_name() const { return queue_; }
  bool is_alive() const { return alive_.load() && core_.transport().is_connected(); }
  // Deliveries handed to the pool and not yet settled.
  size_t in_flight() const;

  // Maps a result to AMQP (ack, reject, delayed requeue).
  void Apply(uint64_t delivery_tag, const ConsumeResult& result);

 private:
  void OnDelivery(Message&& message);
  void Run(Message& message);
  void Finished();
  // The transport's id for this consumer. A delivery can reach the pool before StartConsumer
  // has returned it to Start(); this waits for Start() to publish it (0 if the start failed).
  uint64_t ConsumerId();

  BrokerCore& core_;
  std::string queue_;
  AsyncConsumerHandler handler_;
  std::atomic<uint64_t> consumer_id_{0};
  bool start_done_ = false;  // guarded by mu_; consumer_id_ is final once set
  std::condition_variable started_;
  std::atomic<bool> alive_{false};
  std::atomic<bool> cancelling_{false};
  mutable std::mutex mu_;
  std::condition_variable drained_;
  size_t in_flight_ = 0;
  bool released_ = false;
};

// An AsyncConsumerHandler running `chain` then `handler`, catching exceptions as Failed(INTERNAL).
AsyncConsumerHandler MakeSyncHandler(MiddlewareChain<Message, ConsumeResult> chain,
                                     ConsumerHandler handler);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_CONSUMER_IMPL_H_
