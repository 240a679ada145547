// Channel: the client side of RPC — a reply queue, a correlation map and the call paths.
#ifndef BROKRPC_CHANNEL_H_
#define BROKRPC_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "brokrpc/broker.h"
#include "brokrpc/client_context.h"
#include "brokrpc/encoding.h"
#include "brokrpc/interceptor.h"
#include "brokrpc/status.h"

namespace brokrpc {

namespace internal {
class ChannelImpl;
struct ChannelAccess;
}  // namespace internal

// Channel settings.
struct ChannelOptions {
  // Used when a ClientContext sets no deadline (no call waits forever).
  std::chrono::milliseconds default_timeout{std::chrono::seconds(30)};
  // Retries of unary calls, unless a ClientContext sets its own (default: none). For a stub
  // with its own policy, give it its own Channel.
  RetryPolicy retry_policy{};
  // Client interceptors, outermost first: every call kind. On a stream, the ClientCallObservers
  // among them watch the whole stream and the others wrap its opening (brokrpc/interceptor.h).
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
// broker is down still exists; its calls fail with UNAVAILABLE. Holds a shared_ptr to its
// Broker (like everything made from a Broker), so the Broker lives at least as long.
class Channel {
 public:
  explicit Channel(std::shared_ptr<internal::ChannelImpl> impl);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Declares the reply queue now instead of on the first call.
  Status Connect();

  const std::shared_ptr<Broker>& broker() const;
  const ChannelOptions& options() const;
  // Replies that arrived for no waiting call (late after a deadline, or duplicates), so far.
  uint64_t dropped_replies() const;

 private:
  friend struct internal::ChannelAccess;
  std::shared_ptr<internal::ChannelImpl> impl_;
};

// A channel over `broker` (which need not be connected yet).
std::shared_ptr<Channel> CreateChannel(std::shared_ptr<Broker> broker, ChannelOptions options = {});

}  // namespace brokrpc

#endif  // BROKRPC_CHANNEL_H_
