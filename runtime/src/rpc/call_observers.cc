// CallObservers: OnStart outermost first, OnDone innermost first.
#include "rpc/call_observers.h"

namespace brokrpc::internal {

CallObservers::CallObservers(const MiddlewareChain<ClientCall, Status>& chain) {
  for (const auto& interceptor : chain) {
    auto* observer = dynamic_cast<ClientCallObserver*>(interceptor.get());
    if (observer == nullptr) {
      observers_.clear();
      return;
    }
    observers_.push_back(observer);
  }
  only_observers_ = !observers_.empty();
}

Status CallObservers::Start(ClientCall& call) const {
  for (size_t i = 0; i < observers_.size(); ++i) {
    Status status = observers_[i]->OnStart(call);
    if (status.ok()) continue;
    for (size_t j = i + 1; j-- > 0;) observers_[j]->OnDone(call, status);
    return status;
  }
  return OkStatus();
}

void CallObservers::Done(ClientCall& call, const Status& status) const {
  for (size_t j = observers_.size(); j-- > 0;) observers_[j]->OnDone(call, status);
}

}  // namespace brokrpc::internal
