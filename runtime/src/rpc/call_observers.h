// CallObservers: the ClientCallObservers among a channel's client interceptors, run around an
// asynchronous call without a thread blocked for it (when they are all the channel has) and
// around every stream; ClientStreamWatcher: a stream as they see it.
#ifndef BROKRPC_SRC_RPC_CALL_OBSERVERS_H_
#define BROKRPC_SRC_RPC_CALL_OBSERVERS_H_

#include <memory>
#include <vector>

#include "brokrpc/interceptor.h"
#include "brokrpc/status.h"
#include "rpc/stream_watcher.h"

namespace brokrpc::internal {

// Immutable after construction; thread-safe. Keeps the observers alive.
class CallObservers {
 public:
  explicit CallObservers(const MiddlewareChain<ClientCall, Status>& chain);

  // The interceptors of `chain` that are not observers, in their order.
  static MiddlewareChain<ClientCall, Status> Others(
      const MiddlewareChain<ClientCall, Status>& chain);

  // True when the chain is not empty and every interceptor in it is an observer.
  bool only_observers() const { return only_observers_; }
  bool empty() const { return observers_.empty(); }

  // OnStart of each observer, outermost first. When one fails, OnDone runs for it and for those
  // outside it (innermost first), as the synchronous chain would, and the failure is returned.
  Status Start(ClientCall& call) const;
  // OnDone of every observer, innermost first.
  void Done(ClientCall& call, const Status& status) const;
  void StreamMessage(ClientCall& call, StreamMessageDirection direction) const;

 private:
  std::vector<std::shared_ptr<ClientCallObserver>> observers_;
  bool only_observers_ = false;
};

// A client stream as its observers see it: the call (OnStart ran on it), its messages and its
// end. Keeps the observers alive for as long as the stream lives. Thread-safe.
class ClientStreamWatcher : public StreamWatcher {
 public:
  ClientStreamWatcher(std::shared_ptr<const CallObservers> observers, ClientCall call)
      : observers_(std::move(observers)), call_(std::move(call)) {}

  ClientCall& call() { return call_; }
  void OnMessage(StreamMessageDirection direction) override;
  void OnEnd(const Status& status, bool unroutable) override;

 private:
  const std::shared_ptr<const CallObservers> observers_;
  ClientCall call_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CALL_OBSERVERS_H_
