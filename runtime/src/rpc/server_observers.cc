// ServerObservers, and ServerCallObserver as a plain consumer middleware.
#include "rpc/server_observers.h"

#include "rpc/observers_in.h"

namespace brokrpc {

Status StatusOfResult(const ConsumeResult& result) {
  if (result.is_ack()) return OkStatus();
  if (!result.status().ok()) return result.status();
  return Status(StatusCode::kUnknown, result.ToString());
}

ConsumeResult ServerCallObserver::Handle(Message& message, Next next) {
  ServerCall call{.request = &message, .started = std::chrono::steady_clock::now()};
  OnStart(call);
  ConsumeResult result = next(message);
  OnDone(call, StatusOfResult(result));
  return result;
}

namespace internal {

ServerObservers::ServerObservers(const MiddlewareChain<Message, ConsumeResult>& interceptors)
    : observers_(ObserversIn<ServerCallObserver>(interceptors)) {}

MiddlewareChain<Message, ConsumeResult> ServerObservers::Others(
    const MiddlewareChain<Message, ConsumeResult>& interceptors) {
  return OthersIn<ServerCallObserver>(interceptors);
}

void ServerObservers::Start(ServerCall& call) const {
  call.started = std::chrono::steady_clock::now();
  for (const auto& o : observers_) o->OnStart(call);
}

void ServerObservers::StreamMessage(ServerCall& call, StreamMessageDirection direction) const {
  for (const auto& o : observers_) o->OnStreamMessage(call, direction);
}

void ServerObservers::Done(ServerCall& call, const Status& status) const {
  for (size_t i = observers_.size(); i-- > 0;) observers_[i]->OnDone(call, status);
}

}  // namespace internal
}  // namespace brokrpc
