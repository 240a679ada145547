// Interceptors: client and server call hooks, built on the one Middleware mechanism.
#ifndef BROKRPC_INTERCEPTOR_H_
#define BROKRPC_INTERCEPTOR_H_

#include <chrono>

#include "brokrpc/client_context.h"
#include "brokrpc/consumer.h"
#include "brokrpc/message.h"
#include "brokrpc/middleware.h"
#include "brokrpc/rpc_spec.h"

namespace brokrpc {

// One client call as an interceptor sees it. Before `next`: `request` is the encoded request
// whose properties.headers carry the metadata (change them freely). After `next`: `response` is
// the reply (unary calls) and the returned Status is the call's outcome.
struct ClientCall {
  const ServiceSpec* service = nullptr;
  const MethodSpec* method = nullptr;
  ClientContext* context = nullptr;
  Message request{};
  Message response{};
  // After `next`: the broker returned the (last) request, nobody consumes the method's queue
  // (unary calls).
  bool unroutable = false;
  // When the call entered the interceptor chain (set by the channel).
  std::chrono::steady_clock::time_point started{};
};

// A client interceptor: return a status without calling `next` to fail the call before it is
// sent; wrap `next` to time it. Runs on the calling thread (synchronous calls) or on a pool
// thread (asynchronous calls).
using ClientInterceptor = Middleware<ClientCall, Status>;

// A client interceptor that looks at a call before it is sent and at its outcome, without
// wrapping `next`. That lets an asynchronous call stay asynchronous: when every interceptor of a
// channel is an observer, StartUnary / the async stubs run OnStart on the calling thread and
// OnDone where the call completes, with no thread blocked for the call (a chain with any other
// interceptor runs each asynchronous call on a pool thread, blocked until it ends). Synchronous
// calls run it like any interceptor (Handle). Implementations must be thread-safe; OnDone must
// be quick and must not block (it may run on the thread that reads replies).
class ClientCallObserver : public ClientInterceptor {
 public:
  // Before the call is sent (and before inner interceptors). A non-OK status fails the call
  // without sending it; the observers outside this one still see OnDone.
  virtual Status OnStart(ClientCall& call) {
    static_cast<void>(call);
    return OkStatus();
  }
  // The call's outcome: `call.response` holds the reply of an OK unary call; `call.unroutable`
  // is set when nobody consumed the method's queue. Fire-and-forget: after the confirm.
  virtual void OnDone(ClientCall& call, const Status& status) = 0;

  Status Handle(ClientCall& call, Next next) final {
    Status status = OnStart(call);
    if (status.ok()) status = next(call);
    OnDone(call, status);
    return status;
  }
};

// A server interceptor is a consumer middleware on the request: it sees and may change the
// request (headers = client metadata) before the handler; returning ConsumeResult::Failed(status)
// without calling `next` answers the call with that status; wrapping `next` times the handler.
using ServerInterceptor = ConsumerMiddleware;

}  // namespace brokrpc

#endif  // BROKRPC_INTERCEPTOR_H_
