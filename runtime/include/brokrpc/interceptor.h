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

// Which way a stream message went, as an observer sees it: written by this side (kSent) or read
// by it (kReceived).
enum class StreamMessageDirection { kSent, kReceived };

// One client call as an interceptor sees it. Before `next`: `request` is the encoded request
// whose properties.headers carry the metadata (change them freely). After `next`: `response` is
// the reply (unary calls) and the returned Status is the call's outcome. A stream's opening
// runs through the interceptors too: `request` is the opening (its headers go out with it,
// its body is not used) and `next` sends it (see ClientCallObserver for the stream's outcome).
// `context` stays valid as long as the caller keeps the call's ClientContext.
struct ClientCall {
  const ServiceSpec* service = nullptr;
  const MethodSpec* method = nullptr;
  ClientContext* context = nullptr;
  Message request{};
  Message response{};
  // After `next`: the broker returned the (last) request, nobody consumes the method's queue
  // (unary calls, fire-and-forget messages, stream openings).
  bool unroutable = false;
  // When the call entered the interceptor chain (set by the channel).
  std::chrono::steady_clock::time_point started{};
};

// A client interceptor: return a status without calling `next` to fail the call before it is
// sent; wrap `next` to time it. Runs on the calling thread (synchronous calls) or on a pool
// thread (asynchronous calls). For a stream, `next` only sends the opening: the returned Status
// says whether it went out; what happens to the stream afterwards reaches observers only.
using ClientInterceptor = Middleware<ClientCall, Status>;

// A client interceptor that looks at a call before it is sent and at its outcome, without
// wrapping `next`. That lets an asynchronous call stay asynchronous: when every interceptor of a
// channel is an observer, StartUnary / the async stubs run OnStart on the calling thread and
// OnDone where the call completes, with no thread blocked for the call (a chain with any other
// interceptor runs each asynchronous call on a pool thread, blocked until it ends). Synchronous
// calls run it like any interceptor (Handle). Implementations must be thread-safe; OnDone must
// be quick and must not block (it may run on the thread that reads replies).
//
// Streams: OnStart before the opening is sent; OnStreamMessage after each message the
// application wrote or read; OnDone once, as soon as the stream's final status is known and
// before Finish returns it (on the thread that learnt it, possibly the one reading replies;
// messages still buffered may be read and reported after it). An opening that fails before it
// is sent ends with OnDone at once, as a failing OnStart does.
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
  // Streams: one message written (kSent; the opening's initial message counts) or read
  // (kReceived) by the application. May run on several threads at once.
  virtual void OnStreamMessage(ClientCall& call, StreamMessageDirection direction) {
    static_cast<void>(call);
    static_cast<void>(direction);
  }

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
// A stream's opening runs through it too: `next` runs the stream's handler to its end, and a
// Failed(status) ends the stream with that status.
using ServerInterceptor = ConsumerMiddleware;

// One call as a server observer sees it. Made by the server for each request that reaches its
// interceptors; the same object is passed to every hook of the call. Thread-compatible.
struct ServerCall {
  // The service and method served; both null when the observer runs as a plain consumer
  // middleware (outside a Server).
  const ServiceSpec* service = nullptr;
  const MethodSpec* method = nullptr;
  // The request as delivered (a stream: its opening message).
  const Message* request = nullptr;
  // When the call reached the observers.
  std::chrono::steady_clock::time_point started{};
};

// The status a call ended with, from its ConsumeResult: OK for an ack, else the result's
// status (UNKNOWN for a Reject or Retry without one).
Status StatusOfResult(const ConsumeResult& result);

// A server interceptor that only looks at calls: their start, each stream message and their
// outcome, with the method known. A Server runs the observers among ServerOptions::interceptors
// itself, outside every other interceptor and consumer middleware (in list order for OnStart,
// reversed for OnDone), for every call kind; that is how metrics see streams. The status in
// OnDone is what the client is told (unary: the reply's status; fire-and-forget: StatusOfResult
// of the settlement; stream: the final status). Requests refused before the interceptors
// (malformed, past their deadline, oversized, a stream over max_concurrent_streams) are not
// observed. Implementations must be thread-safe and quick; they must not block.
class ServerCallObserver : public ServerInterceptor {
 public:
  virtual void OnStart(ServerCall& call) { static_cast<void>(call); }
  virtual void OnDone(ServerCall& call, const Status& status) = 0;
  // Streams: one message the handler read (kReceived; the opening's initial message counts) or
  // wrote (kSent).
  virtual void OnStreamMessage(ServerCall& call, StreamMessageDirection direction) {
    static_cast<void>(call);
    static_cast<void>(direction);
  }

  // As a plain consumer middleware (BrokerOptions::consumer_middlewares, a Consumer): OnStart,
  // `next`, OnDone(StatusOfResult) around each delivery, without a method.
  ConsumeResult Handle(Message& message, Next next) final;
};

}  // namespace brokrpc

#endif  // BROKRPC_INTERCEPTOR_H_
