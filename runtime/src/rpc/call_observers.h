// CallObservers: a channel's client interceptors when all of them are ClientCallObservers, run
// around an asynchronous call without a thread blocked for it.
#ifndef BROKRPC_SRC_RPC_CALL_OBSERVERS_H_
#define BROKRPC_SRC_RPC_CALL_OBSERVERS_H_

#include <vector>

#include "brokrpc/interceptor.h"
#include "brokrpc/status.h"

namespace brokrpc::internal {

// Immutable after construction; thread-safe.
class CallObservers {
 public:
  explicit CallObservers(const MiddlewareChain<ClientCall, Status>& chain);

  // True when the chain is not empty and every interceptor in it is an observer.
  bool only_observers() const { return only_observers_; }

  // OnStart of each observer, outermost first. When one fails, OnDone runs for it and for those
  // outside it (innermost first), as the synchronous chain would, and the failure is returned.
  Status Start(ClientCall& call) const;
  // OnDone of every observer, innermost first.
  void Done(ClientCall& call, const Status& status) const;

 private:
  std::vector<ClientCallObserver*> observers_;
  bool only_observers_ = false;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CALL_OBSERVERS_H_
