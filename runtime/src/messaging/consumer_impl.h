// ConsumerImpl: a running consumer — dispatch to the pool, settlement, cancel and drain.
#ifndef BROKRPC_SRC_MESSAGING_CONSUMER_IMPL_H_
#define BROKRPC_SRC_MESSAGING_CONSUMER_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "brokrpc/consumer.h"
#include "messaging/broker_core.h"

namespace brokrpc::internal {

class ConsumerImpl;

// Settles one delivery, once, from any thread: with a result, or by replying on the channel
// the delivery came in on and acking it in one step (the RPC server's replies). Copies share
// the once-only state: the first settlement wins, later ones are ignored.
class Settle {
 public:
  Settle() = default;
  Settle(std::shared_ptr<ConsumerImpl> consumer, uint64_t delivery_tag);
  void operator()(const ConsumeResult& result) const;
  // See Transport::ReplyAndAck; `done` runs once, on the transport's thread.
  void ReplyAndAck(PublishRequest reply, PublishDone done) const;

 private:
  struct State {
    std::shared_ptr<ConsumerImpl> consumer;
    uint64_t delivery_tag = 0;
    std::atomic<bool> settled{false};
  };
  std::shared_ptr<State> state_;
};

// Handles one delivery and eventually calls `settle` (possibly later, from another thread).
// Runs on a pool thread, or on the transport's I/O thread for inline consumers.
using AsyncConsumerHandler = std::function<void(Message& message, Settle settle)>;

// Where a consumer runs its handler.
enum class HandlerThread {
  kPool,    // the broker's handler pool (the default: handlers may block)
  kInline,  // the connection's I/O thread (handlers must not block; blocking calls fail there)
};

// Thread-safe. Owned through shared_ptr: in-flight deliveries keep it alive.
class ConsumerImpl : public std::enable_shared_from_this<ConsumerImpl> {
 public:
  ConsumerImpl(BrokerCore& core, std::string queue, AsyncConsumerHandler handler);
  ~ConsumerImpl();

  // basic.consume with `prefetch` and `exclusive`.
  Status Start(uint16_t prefetch, bool exclusive, HandlerThread where = HandlerThread::kPool);
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
  // Publishes a reply on the delivery's channel and acks the delivery (Transport::ReplyAndAck).
  void ReplyAndAck(uint64_t delivery_tag, PublishRequest reply, PublishDone done);

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
  HandlerThread where_ = HandlerThread::kPool;  // final once Start() has begun
  bool start_done_ = false;                     // guarded by mu_; consumer_id_ is final once set
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

#endif  // BROKRPC_SRC_MESSAGING_CONSUMER_IMPL_H_
