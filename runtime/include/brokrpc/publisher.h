// Publisher: publishes messages to an exchange, with publisher confirms by default.
#ifndef BROKRPC_PUBLISHER_H_
#define BROKRPC_PUBLISHER_H_

#include <functional>
#include <future>
#include <memory>
#include <string>

#include "brokrpc/message.h"
#include "brokrpc/middleware.h"
#include "brokrpc/options.h"
#include "brokrpc/serializer.h"
#include "brokrpc/status.h"

namespace brokrpc {

class Broker;

namespace internal {
class PublisherImpl;
}

// A publisher middleware sees each outgoing message (and may change it or refuse it with a
// status). For PublishAsync, `next` returns once the message is handed to the connection.
using PublisherMiddleware = Middleware<Message, Status>;

// Publishes on its own AMQP channel. Thread-safe: any thread may publish at any time; confirms
// are pipelined, so many publishes can be in flight at once. Created by Broker::CreatePublisher;
// holds a shared_ptr to its Broker (like everything made from a Broker), so the Broker lives at
// least as long; Broker::Close() still ends it (publishes then fail with UNAVAILABLE).
//
//   auto pub = broker->CreatePublisher({.exchange = {.name = "events"}}).value();
//   brokrpc::Message m{.body = "hello", .routing_key = "greetings"};
//   brokrpc::Status s = pub->Publish(m);   // OK once the broker confirmed it
class Publisher {
 public:
  Publisher(std::shared_ptr<Broker> broker, std::shared_ptr<internal::PublisherImpl> impl);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Publishes and waits for the outcome: OK when confirmed (or written, with confirms off);
  // UNAVAILABLE when returned as unroutable (mandatory), nacked, or the connection is down.
  // An empty message.exchange means the publisher's exchange.
  Status Publish(Message message);

  // Publishes without waiting; `on_done` runs once, on a handler-pool thread.
  void PublishAsync(Message message, std::function<void(Status)> on_done);
  std::future<Status> PublishAsync(Message message);

  // Encodes `payload` with Serializer and publishes it with `routing_key`.
  template <typename Serializer = ProtobufSerializer, typename Payload>
  Status PublishPayload(const Payload& payload, std::string routing_key,
                        MessageProperties properties = {}) {
    Message message{.routing_key = std::move(routing_key), .properties = std::move(properties)};
    BROKRPC_RETURN_IF_ERROR(Serializer::Encode(payload, &message));
    return Publish(std::move(message));
  }

  const PublisherOptions& options() const;

 private:
  std::shared_ptr<Broker> broker_;  // declared first: outlives impl_
  std::shared_ptr<internal::PublisherImpl> impl_;
};

}  // namespace brokrpc

#endif  // BROKRPC_PUBLISHER_H_
