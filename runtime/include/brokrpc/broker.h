// Broker: one connection to RabbitMQ (or to the in-process memory broker), with defaults for
// the exchanges, queues and middlewares of the publishers and consumers made from it.
#ifndef BROKRPC_BROKER_H_
#define BROKRPC_BROKER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "brokrpc/consumer.h"
#include "brokrpc/options.h"
#include "brokrpc/publisher.h"
#include "brokrpc/queue_type.h"
#include "brokrpc/status_or.h"

namespace brokrpc {

namespace internal {
class BrokerCore;
struct BrokerAccess;
}  // namespace internal

// Defaults applied to everything made from a Broker.
struct BrokerOptions {
  // Laid under every exchange option (field by field). RPC needs a named exchange from here or
  // from the service's (brokrpc.spec.v1.exchange) option.
  ExchangeOptions default_exchange{};
  // Laid under every queue option.
  QueueOptions default_queue{};
  // The type of server queues whose options name none (x-queue-type): quorum switches a whole
  // deployment to replicated queues. Unset: the URL's queue_type, else classic. Reply and stream
  // queues stay classic, exclusive and transient. See docs/deployment.md ("Queue types").
  std::optional<QueueType> server_queue_type{};
  // Run around every publish / every delivery, outermost first.
  MiddlewareChain<Message, Status> publisher_middlewares{};
  MiddlewareChain<Message, ConsumeResult> consumer_middlewares{};
  // Threads that run handlers and callbacks; 0 = max(2, hardware threads).
  size_t handler_threads = 0;
};

// A connection and what hangs off it. Create with Broker::Create, then Connect.
//
// URLs:
//   amqp://user:pass@host:port/vhost?heartbeat=10&connection_timeout=5&name=app
//   amqp://...?queue_type=quorum   server queues default to quorum (BrokerOptions overrides)
//   amqps://user:pass@host:5671/vhost?cacertfile=/ca.pem&certfile=..&keyfile=..&verify=true
//   memory://            an in-process broker (for embedding and fast tests); memory://name
//                        gives a named in-process broker shared by Brokers in one process
// Defaults: port 5672 (amqps 5671), vhost "/", user/password guest, heartbeat 60 s,
// connection_timeout 30 s. A bad URL is INVALID_ARGUMENT naming the bad part; the password never
// appears in any message or log line.
//
// Thread-safe. One I/O thread owns the connection; handlers run on a thread pool.
//
// Ownership, one rule: everything made from a Broker (Publisher, Consumer, Channel, Server)
// holds a shared_ptr to it, so the Broker (and its connection) lives until the last of them is
// gone; Close() ends them all early (their operations then fail with UNAVAILABLE).
class Broker : public std::enable_shared_from_this<Broker> {
 public:
  // Parses the URL; does not connect.
  static StatusOr<std::shared_ptr<Broker>> Create(std::string_view url, BrokerOptions options = {});

  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Opens the connection (idempotent). UNAVAILABLE with host:port when it cannot connect,
  // UNAUTHENTICATED when the login is refused.
  Status Connect();
  // Cancels consumers, fails what is pending with UNAVAILABLE, closes the connection. Idempotent.
  void Close();
  bool is_connected() const;
  // While RabbitMQ blocks publishing on this connection (a memory or disk alarm), the reason it
  // gave. Meanwhile publishes wait and go out in order once it unblocks; calls and
  // fire-and-forget messages without wait_for_ready fail at once with UNAVAILABLE instead.
  std::optional<std::string> blocked_reason() const;

  // A publisher on its own channel; options are laid over the broker defaults.
  StatusOr<std::unique_ptr<Publisher>> CreatePublisher(PublisherOptions options = {});

  // Declares the exchange (when named) and the queue, binds the queue with each binding key,
  // sets basic.qos (prefetch; default kDefaultPrefetchCount) and starts consuming.
  StatusOr<std::unique_ptr<Consumer>> Consume(BindingOptions binding, ConsumerHandler handler,
                                              ConsumerOptions options = {});

  // Topology, with the broker defaults applied. A mismatched redeclare is FAILED_PRECONDITION
  // (406) naming both flag sets where known.
  Status DeclareExchange(const ExchangeOptions& exchange);
  StatusOr<std::string> DeclareQueue(const QueueOptions& queue);
  Status BindQueue(const std::string& queue, const ExchangeOptions& exchange,
                   const std::string& binding_key);
  Status DeleteQueue(const std::string& queue);
  Status DeleteExchange(const std::string& exchange);

  const BrokerOptions& options() const;
  // The URL without its password.
  std::string redacted_url() const;
  // The heartbeat agreed with the broker (0 = none); meaningful once connected.
  std::chrono::seconds negotiated_heartbeat() const;

 private:
  friend struct internal::BrokerAccess;
  Broker(std::unique_ptr<internal::BrokerCore> core);
  std::unique_ptr<internal::BrokerCore> core_;
};

}  // namespace brokrpc

#endif  // BROKRPC_BROKER_H_
