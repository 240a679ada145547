// Consumer: a queue bound to an exchange, consumed with manual acks on the handler pool.
#ifndef BROKRPC_CONSUMER_H_
#define BROKRPC_CONSUMER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "brokrpc/consume_result.h"
#include "brokrpc/message.h"
#include "brokrpc/middleware.h"
#include "brokrpc/serializer.h"
#include "brokrpc/status.h"

namespace brokrpc {

class Broker;

namespace internal {
class ConsumerImpl;
}

// A consumer middleware sees each delivery before the handler and the handler's result after.
using ConsumerMiddleware = Middleware<Message, ConsumeResult>;

// Handles one delivery; runs on a handler-pool thread, never on the connection's I/O thread.
// At most prefetch_count handlers of one consumer run at once. May throw: an exception becomes
// ConsumeResult::Failed(INTERNAL: what()).
using ConsumerHandler = std::function<ConsumeResult(Message& message)>;

// Per-consumer settings beyond the binding.
struct ConsumerOptions {
  // Run inside the broker's default consumer middlewares.
  MiddlewareChain<Message, ConsumeResult> middlewares{};
  // basic.consume exclusive flag.
  bool exclusive = false;
};

// A running consumer, made by Broker::Consume. Destroying it cancels it. Holds a shared_ptr to
// its Broker (like everything made from a Broker), so the Broker lives at least as long;
// Broker::Close() still ends it. Thread-safe.
class Consumer {
 public:
  Consumer(std::shared_ptr<Broker> broker, std::shared_ptr<internal::ConsumerImpl> impl);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The queue it reads (the broker-generated name when none was given).
  const std::string& queue_name() const;
  // True until cancelled, or until the broker or the connection ended it.
  bool is_alive() const;
  // Stops deliveries (basic.cancel), then waits up to `drain` for running handlers; deliveries
  // received but not started are requeued. Safe to call twice.
  Status Cancel(std::chrono::milliseconds drain = std::chrono::seconds(30));

 private:
  std::shared_ptr<Broker> broker_;  // declared first: outlives impl_
  std::shared_ptr<internal::ConsumerImpl> impl_;
};

// Adapts a typed handler: decodes each body with Serializer (a decode error becomes
// ConsumeResult::Failed(INVALID_ARGUMENT)), then calls `handler(payload, message)`.
template <typename Payload, typename Serializer = ProtobufSerializer>
ConsumerHandler DecodingHandler(std::function<ConsumeResult(const Payload&, Message&)> handler) {
  return [handler = std::move(handler)](Message& message) -> ConsumeResult {
    Payload payload;
    Status decoded = Serializer::Decode(message, &payload);
    if (!decoded.ok()) return ConsumeResult::Failed(std::move(decoded));
    return handler(payload, message);
  };
}

}  // namespace brokrpc

#endif  // BROKRPC_CONSUMER_H_
