// StreamWatcher: what a stream end reports to the call observers that watch it.
#ifndef BROKRPC_SRC_RPC_STREAM_WATCHER_H_
#define BROKRPC_SRC_RPC_STREAM_WATCHER_H_

#include "brokrpc/interceptor.h"
#include "brokrpc/status.h"

namespace brokrpc::internal {

// Implemented for ClientCallObservers (client streams) and ServerCallObservers (server streams).
// Implementations are thread-safe and quick.
class StreamWatcher {
 public:
  virtual ~StreamWatcher() = default;
  // The application wrote (kSent) or read (kReceived) one message.
  virtual void OnMessage(StreamMessageDirection direction) = 0;
  // Client streams: the final status is known (once, under the stream's lock, before the
  // application learns it). `unroutable`: the opening came back from the broker (nobody
  // consumes the method's queue).
  virtual void OnEnd(const Status& status, bool unroutable) = 0;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_WATCHER_H_
