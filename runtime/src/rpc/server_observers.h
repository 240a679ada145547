// ServerObservers: the ServerCallObservers among a server's interceptors, which the server runs
// itself around each call (the other interceptors run in the request skeleton's chain).
#ifndef BROKRPC_SRC_RPC_SERVER_OBSERVERS_H_
#define BROKRPC_SRC_RPC_SERVER_OBSERVERS_H_

#include <memory>
#include <vector>

#include "brokrpc/interceptor.h"

namespace brokrpc::internal {

// Immutable after construction; thread-safe.
class ServerObservers {
 public:
  explicit ServerObservers(const MiddlewareChain<Message, ConsumeResult>& interceptors);

  // The interceptors that are not observers, in their order.
  static MiddlewareChain<Message, ConsumeResult> Others(
      const MiddlewareChain<Message, ConsumeResult>& interceptors);

  bool empty() const { return observers_.empty(); }
  // Sets `call.started` and runs OnStart of each observer, in list order.
  void Start(ServerCall& call) const;
  void StreamMessage(ServerCall& call, StreamMessageDirection direction) const;
  // OnDone of each observer, in reverse list order.
  void Done(ServerCall& call, const Status& status) const;

 private:
  std::vector<std::shared_ptr<ServerCallObserver>> observers_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_SERVER_OBSERVERS_H_
