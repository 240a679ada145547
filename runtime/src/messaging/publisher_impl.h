// PublisherImpl: the publishing path shared by Publisher and the RPC layer.
#ifndef BROKRPC_SRC_MESSAGING_PUBLISHER_IMPL_H_
#define BROKRPC_SRC_MESSAGING_PUBLISHER_IMPL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "brokrpc/publisher.h"
#include "messaging/broker_core.h"

namespace brokrpc::internal {

// Publishes on one transport lane. Thread-safe.
class PublisherImpl {
 public:
  // `middlewares` run outermost first; pass {} for internal publishers that skip them.
  PublisherImpl(BrokerCore& core, PublisherOptions options,
                MiddlewareChain<Message, Status> middlewares);
  ~PublisherImpl();

  // Runs the middlewares, fills defaults (exchange, message_id, timestamp) and hands the message
  // to the transport. `done` runs once, on the transport thread (or inline on early failure).
  void Publish(Message message, PublishDone done);
  // The same without middlewares and without default filling; for the RPC fast path.
  void PublishRaw(Message message, bool mandatory, PublishDone done);
  // Publishes and blocks until `done` would run.
  Status PublishAndWait(Message message);

  const PublisherOptions& options() const { return options_; }
  const ResolvedExchange& exchange() const { return exchange_; }
  BrokerCore& core() { return core_; }

 private:
  Status EnsureExchangeDeclared();

  BrokerCore& core_;
  PublisherOptions options_;
  ResolvedExchange exchange_;
  MiddlewareChain<Message, Status> middlewares_;
  uint32_t lane_;
  std::once_flag declare_once_;
  Status declare_status_;
};

// Sets message_id (uuid4 hex) and timestamp (now) when missing, as BrokRPC's driver does.
void FillMessageDefaults(Message* message);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_MESSAGING_PUBLISHER_IMPL_H_
