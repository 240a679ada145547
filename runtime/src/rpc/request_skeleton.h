// RequestSkeleton: the steps every request a server handles goes through, whatever its kind.
#ifndef BROKRPC_SRC_RPC_REQUEST_SKELETON_H_
#define BROKRPC_SRC_RPC_REQUEST_SKELETON_H_

#include <concepts>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "base/log.h"
#include "brokrpc/consume_result.h"
#include "brokrpc/middleware.h"
#include "brokrpc/server_context.h"
#include "messaging/consumer_impl.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// What one call kind (unary, fire-and-forget, stream opening) does at the skeleton's steps. A
// tail is made for one request, so Check may keep what it decoded for Serve.
template <typename T>
concept RequestTail = requires(T& tail, Message& message, Settle settle) {
  // OK, or why the request is malformed (it is logged and rejected).
  { tail.Check(message) } -> std::same_as<Status>;
  // Settles a request larger than the server's max_message_size.
  tail.RefuseOversized(message, std::move(settle));
  // Serves a well-formed request in time; settles it, at once or later.
  tail.Serve(message, std::move(settle));
};

// Serve() runs a request through: counted as running, shape check, deadline skip, size check,
// then the kind's tail. A tail calls the application handler with RunHandler (its ServerContext
// tracked so that a shutdown can cancel it, exceptions caught), inside RunChain (the
// interceptors) where its kind has one. Thread-safe: handlers run on many pool threads.
class RequestSkeleton {
 public:
  explicit RequestSkeleton(MiddlewareChain<Message, ConsumeResult> chain)
      : chain_(std::move(chain)) {}
  RequestSkeleton(const RequestSkeleton&) = delete;
  RequestSkeleton& operator=(const RequestSkeleton&) = delete;

  template <RequestTail Tail>
  void Serve(std::string_view routing_key, Tail& tail, Message& request, Settle settle);

  // The interceptors around `terminal`; an exception becomes Failed(INTERNAL).
  template <typename Terminal>
  ConsumeResult RunChain(Message& request, Terminal&& terminal) {
    return Guarded([&] { return brokrpc::RunChain(chain_, request, terminal); });
  }

  // Calls `call(context)` with a ServerContext made from `request`, registered as active while
  // it runs (an exception becomes Failed(INTERNAL)), then returns `then(context, result)`.
  template <typename Call, typename Then>
  auto RunHandler(const Message& request, Call&& call, Then&& then) {
    ServerContext context(request);
    Track(&context, true);
    ConsumeResult result = Guarded([&] { return call(context); });
    Track(&context, false);
    return then(context, std::move(result));
  }
  template <typename Call>
  ConsumeResult RunHandler(const Message& request, Call&& call) {
    return RunHandler(request, call, [](ServerContext&, ConsumeResult r) { return r; });
  }

  // Cancels the contexts of the handlers running now (they report IsCancelled()).
  void CancelActive();
  // Waits until no Serve() is running (a handler may run on after it settled its delivery: a
  // reply settles it when confirmed, so the consumer being idle does not mean it returned).
  void WaitReturned();

 private:
  // Counts one Serve() as running for its whole body.
  class RunningScope;

  template <typename F>
  static ConsumeResult Guarded(F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return ConsumeResult::Failed(InternalError(e.what()));
    } catch (...) {
      return ConsumeResult::Failed(InternalError("the handler threw a non-std exception"));
    }
  }
  void Track(ServerContext* context, bool active);
  void Enter();
  void Leave();

  const MiddlewareChain<Message, ConsumeResult> chain_;

  std::mutex active_mu_;
  std::set<ServerContext*> active_;

  std::mutex running_mu_;
  std::condition_variable returned_;
  size_t running_ = 0;
};

class RequestSkeleton::RunningScope {
 public:
  explicit RunningScope(RequestSkeleton& skeleton) : skeleton_(skeleton) { skeleton_.Enter(); }
  ~RunningScope() { skeleton_.Leave(); }
  RunningScope(const RunningScope&) = delete;
  RunningScope& operator=(const RunningScope&) = delete;

 private:
  RequestSkeleton& skeleton_;
};

template <RequestTail Tail>
void RequestSkeleton::Serve(std::string_view routing_key, Tail& tail, Message& request,
                            Settle settle) {
  RunningScope running(*this);
  if (Status malformed = tail.Check(request); !malformed.ok()) {
    BROKRPC_LOG_WARNING("{}: rejecting a malformed message: {}", routing_key, malformed.message());
    settle(ConsumeResult::Reject(std::move(malformed)));
    return;
  }
  if (auto deadline = RequestDeadline(request); deadline && SystemClock::now() >= *deadline) {
    BROKRPC_LOG_DEBUG("{}: skipping {}: its deadline has passed", routing_key,
                      request.properties.correlation_id.value_or("a message"));
    settle(ConsumeResult::Ack());
    return;
  }
  if (request.delivery && request.delivery->oversized) {
    tail.RefuseOversized(request, std::move(settle));
    return;
  }
  tail.Serve(request, std::move(settle));
}

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_REQUEST_SKELETON_H_
