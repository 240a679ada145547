// MemoryBroker: an in-process AMQP-like broker — exchanges, queues, bindings, consumers.
#ifndef BROKRPC_SRC_MEMORY_MEMORY_BROKER_H_
#define BROKRPC_SRC_MEMORY_MEMORY_BROKER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transport/transport.h"

namespace brokrpc::internal {

// Runs a callback on a transport's own thread (the memory transport's dispatcher).
using Dispatch = std::function<void(std::function<void()>)>;

// A consumer as the broker knows it. `cancelled` is read by the dispatcher before each delivery.
struct MemoryConsumer {
  uint64_t id = 0;
  const void* owner = nullptr;
  std::string queue;
  std::string tag;
  uint16_t prefetch = 0;
  bool no_ack = false;  // deliveries count as settled when sent
  DeliveryHandler on_delivery;
  ConsumerGoneHandler on_gone;
  Dispatch dispatch;
  std::atomic<bool> cancelled{false};
  // Guarded by the broker's mutex.
  size_t unsettled = 0;
  uint64_t next_tag = 1;
};

// RabbitMQ's semantics for what it implements: direct / topic / fanout / headers exchanges, the
// default exchange, server-named, exclusive and auto-delete queues, auto-delete exchanges,
// round-robin delivery bounded by prefetch, ack / reject / requeue with the redelivered flag,
// per-message and per-queue TTL, and RabbitMQ's error codes and texts (403, 404, 405, 406, 312).
// Requeued messages go to the head of the queue (RabbitMQ restores the original position; for
// a single consumer that is the same). Thread-safe; never calls out while holding its lock.
class MemoryBroker {
 public:
  // The broker named `name`, shared by every transport of the process using that name.
  static std::shared_ptr<MemoryBroker> Get(const std::string& name);

  Status DeclareExchange(const ResolvedExchange& exchange);
  StatusOr<std::string> DeclareQueue(const ResolvedQueue& queue, const void* owner);
  Status BindQueue(const std::string& queue, const std::string& exchange, const std::string& key,
                   const FieldTable& arguments, bool bind);
  Status DeleteQueue(const std::string& queue);
  Status DeleteExchange(const std::string& exchange);

  // Routes and enqueues; returns the publish outcome (NO_ROUTE with mandatory, 404 exchange).
  PublishOutcome Publish(const PublishRequest& request);

  StatusOr<std::shared_ptr<MemoryConsumer>> AddConsumer(const ConsumeRequest& request,
                                                        const void* owner, Dispatch dispatch);
  void Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement);
  // Stops deliveries to the consumer (it keeps its unsettled messages).
  void CancelConsumer(uint64_t consumer_id);
  // Removes the consumer; its unsettled messages go back to the queue, redelivered.
  void RemoveConsumer(uint64_t consumer_id);
  // Everything `owner` had: its consumers (requeued) and its exclusive queues (deleted).
  void RemoveOwner(const void* owner);

 private:
  struct Stored {
    Message message;
    std::optional<std::chrono::steady_clock::time_point> expires;
    bool redelivered = false;
  };
  struct Unsettled {
    std::string queue;
    Stored stored;
  };
  struct Binding {
    std::string queue;
    std::string key;
    FieldTable arguments;
  };
  struct Exchange {
    ResolvedExchange spec;
    std::vector<Binding> bindings;
  };
  struct Queue {
    ResolvedQueue spec;
    const void* owner = nullptr;
    std::deque<Stored> ready;
    std::vector<uint64_t> consumers;
    size_t next_consumer = 0;
    bool had_consumer = false;
  };
  // A delivery or notification to run once the lock is released.
  using Work = std::vector<std::function<void()>>;

  void Pump(Queue& queue, Work* work);
  void DropQueue(std::string name, Work* work);  // by value: callers pass names it erases
  void RemoveConsumerLocked(uint64_t consumer_id, Work* work);
  std::vector<std::string> Route(const Exchange& exchange, const Message& message) const;
  static void Run(Work& work);

  std::mutex mu_;
  std::map<std::string, Exchange> exchanges_;
  std::map<std::string, Queue> queues_;
  std::map<uint64_t, std::shared_ptr<MemoryConsumer>> consumers_;
  // (consumer id, delivery tag) -> message awaiting settlement.
  std::map<std::pair<uint64_t, uint64_t>, Unsettled> unsettled_;
  uint64_t next_consumer_id_ = 1;
};

// Topic matching: `*` is one word, `#` zero or more words.
bool TopicMatches(const std::string& pattern, const std::string& routing_key);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_MEMORY_MEMORY_BROKER_H_
