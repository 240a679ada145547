// Channel: the client side of RPC — a reply queue, a correlation map and the call paths.
#ifndef BROKRPC_CHANNEL_H_
#define BROKRPC_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "brokrpc/broker.h"
#include "brokrpc/client_context.h"
#include "brokrpc/encoding.h"
#include "brokrpc/interceptor.h"
#include "brokrpc/message.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/status.h"

namespace google::protobuf {
class Message;
}

namespace brokrpc {

namespace internal {
class ChannelImpl;
class StreamCore;
}  // namespace internal

// Channel settings.
struct ChannelOptions {
  // Used when a ClientContext sets no deadline (no call waits forever).
  std::chrono::milliseconds default_timeout{std::chrono::seconds(30)};
  // Retries of unary calls, unless a ClientContext sets its own (default: none). For a stub
  // with its own policy, give it its own Channel.
  RetryPolicy retry_policy{};
  // Client interceptors, outermost first (unary and fire-and-forget calls).
  MiddlewareChain<ClientCall, Status> interceptors{};
  // Streams: how many server messages a stream buffers before the server must wait for
  // credit, and how often an idle stream probes that the server is still there.
  uint32_t stream_window = 64;
  std::chrono::milliseconds stream_keepalive{1000};
  // How the typed stubs encode requests of unary and fire-and-forget calls, unless a
  // ClientContext sets its own (Python BrokRPC clients choose protobuf or JSON the same way).
  Encoding encoding = Encoding::kProtobuf;
};

// The client side of RPC over one Broker. Thread-safe: share one Channel among threads and
// stubs. Replies come to one exclusive, auto-delete reply queue ("response.<uuid hex>"),
// declared on the first call and bound to each exchange the channel calls. A channel whose
// broker is down still exists; its calls fail with UNAVAILABLE.
class Channel {
 public:
  // Completion of an asynchronous call: the status and (when OK) the reply message.
  using UnaryDone = std::function<void(Status status, Message* reply)>;

  explicit Channel(std::shared_ptr<internal::ChannelImpl> impl);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Declares the reply queue now instead of on the first call.
  Status Connect();

  // The untyped call paths the generated stubs use. `request` carries the encoded payload.
  Status CallUnary(const ServiceSpec& service, size_t method_index, ClientContext* context,
                   Message request, Message* reply);
  // `done` runs once on a handler-pool thread.
  void StartUnary(const ServiceSpec& service, size_t method_index, ClientContext* context,
                  Message request, UnaryDone done);
  // For generated code whose `done` runs no user code (codegen.h's AsyncUnaryCall: decode and
  // fulfil a promise): like StartUnary, but `done` runs once on the thread that settles the
  // call — the thread that read the reply (the I/O thread, or a thread blocked in a synchronous
  // call on the same connection, which reads replies itself), the timer thread at the deadline,
  // the canceller, or the caller for an early failure — without the hand-off to the handler pool.
  // `done` must be quick and must not block. With client interceptors `done` runs on a pool thread,
  // as for StartUnary. Not for user callbacks: use StartUnary.
  void StartUnaryInline(const ServiceSpec& service, size_t method_index, ClientContext* context,
                        Message request, UnaryDone done);
  // Fire-and-forget: OK once the broker confirmed the message (and routed it: mandatory).
  Status Publish(const ServiceSpec& service, size_t method_index, ClientContext* context,
                 Message message);
  void StartPublish(const ServiceSpec& service, size_t method_index, ClientContext* context,
                    Message message, std::function<void(Status)> done);

  // Opens a stream of method `method_index` (a streaming kind). `initial` (may be null) is
  // sent with the opening; `last` half-closes at once (server streaming). Errors end the
  // returned stream: its Finish() reports them.
  std::shared_ptr<internal::StreamCore> OpenStream(const ServiceSpec& service, size_t method_index,
                                                   ClientContext* context,
                                                   const google::protobuf::Message* initial,
                                                   bool last);

  const std::shared_ptr<Broker>& broker() const;
  const ChannelOptions& options() const;
  // Replies that arrived for no waiting call (late after a deadline, or duplicates), so far.
  uint64_t dropped_replies() const;

 private:
  std::shared_ptr<internal::ChannelImpl> impl_;
};

// A channel over `broker` (which need not be connected yet).
std::shared_ptr<Channel> CreateChannel(std::shared_ptr<Broker> broker, ChannelOptions options = {});

}  // namespace brokrpc

#endif  // BROKRPC_CHANNEL_H_
