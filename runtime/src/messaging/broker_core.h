// BrokerCore: what a Broker owns — URL, options, transport, handler pool and timers.
#ifndef BROKRPC_SRC_MESSAGING_BROKER_CORE_H_
#define BROKRPC_SRC_MESSAGING_BROKER_CORE_H_

#include <memory>
#include <string>

#include "base/thread_pool.h"
#include "base/timer_queue.h"
#include "brokrpc/broker.h"
#include "transport/broker_url.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// Shared by the messaging and RPC layers. Thread-safe.
class BrokerCore {
 public:
  BrokerCore(BrokerUrl url, BrokerOptions options, std::unique_ptr<Transport> transport);
  ~BrokerCore();

  Transport& transport() { return *transport_; }
  ThreadPool& pool() { return pool_; }
  TimerQueue& timers() { return timers_; }
  const BrokerOptions& options() const { return options_; }
  const BrokerUrl& url() const { return url_; }

  // `over` laid over the broker's default exchange / queue, then resolved.
  ResolvedExchange ResolveExchange(const ExchangeOptions& over) const;
  ResolvedQueue ResolveQueue(const QueueOptions& over) const;
  uint16_t PrefetchFor(const QueueOptions& over) const;

  // Declares `exchange`; a failure names the exchange and the flags we asked for.
  Status DeclareExchange(const ResolvedExchange& exchange);
  StatusOr<std::string> DeclareQueue(const ResolvedQueue& queue);

  // Stops timers and the pool (after the transport is closed).
  void Shutdown();

 private:
  BrokerUrl url_;
  BrokerOptions options_;
  std::unique_ptr<Transport> transport_;
  ThreadPool pool_;
  TimerQueue timers_;
};

// The one way from a Broker to its core, for brokrpc's own layers (Broker befriends it).
struct BrokerAccess {
  static BrokerCore& Core(Broker& broker) { return *broker.core_; }
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_MESSAGING_BROKER_CORE_H_
