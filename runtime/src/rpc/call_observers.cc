// CallObservers: OnStart outermost first, OnDone innermost first; ClientStreamWatcher.
#include "rpc/call_observers.h"

#include "rpc/observers_in.h"

namespace brokrpc::internal {

CallObservers::CallObservers(const MiddlewareChain<ClientCall, Status>& chain)
    : observers_(ObserversIn<ClientCallObserver>(chain)),
      only_observers_(!chain.empty() && observers_.size() == chain.size()) {}

MiddlewareChain<ClientCall, Status> CallObservers::Others(
    const MiddlewareChain<ClientCall, Status>& chain) {
  return OthersIn<ClientCallObserver>(chain);
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

void CallObservers::StreamMessage(ClientCall& call, StreamMessageDirection direction) const {
  for (const auto& observer : observers_) observer->OnStreamMessage(call, direction);
}

void ClientStreamWatcher::OnMessage(StreamMessageDirection direction) {
  observers_->StreamMessage(call_, direction);
}

void ClientStreamWatcher::OnEnd(const Status& status, bool unroutable) {
  call_.unroutable = unroutable;
  observers_->Done(call_, status);
}

}  // namespace brokrpc::internal
