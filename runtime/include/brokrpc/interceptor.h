// Interceptors: client and server call hooks, built on the one Middleware mechanism.
#ifndef BROKRPC_INTERCEPTOR_H_
#define BROKRPC_INTERCEPTOR_H_

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
};

// A client interceptor: return a status without calling `next` to fail the call before it is
// sent; wrap `next` to time it. Runs on the calling thread (synchronous calls) or on a pool
// thread (asynchronous calls).
using ClientInterceptor = Middleware<ClientCall, Status>;

// A server interceptor is a consumer middleware on the request: it sees and may change the
// request (headers = client metadata) before the handler; returning ConsumeResult::Failed(status)
// without calling `next` answers the call with that status; wrapping `next` times the handler.
using ServerInterceptor = ConsumerMiddleware;

}  // namespace brokrpc

#endif  // BROKRPC_INTERCEPTOR_H_
