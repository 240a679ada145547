// ClientContext: per-call settings and state on the client — deadline, metadata, cancellation.
#ifndef BROKRPC_CLIENT_CONTEXT_H_
#define BROKRPC_CLIENT_CONTEXT_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "brokrpc/encoding.h"
#include "brokrpc/status.h"
#include "brokrpc/trace_context.h"

namespace brokrpc {

class ServerContext;
namespace internal {
class CancelLink;
struct ClientContextAccess;
}  // namespace internal

// What ClientContext::FromServerContext carries over from the call a handler serves. A value
// type; thread-compatible.
struct PropagationOptions {
  // The incoming call's deadline becomes the nested call's (the time left, not a new timeout).
  bool deadline = true;
  // The incoming call cancelled (stream cancelled by its client, server shutdown past its
  // deadline) cancels the nested call.
  bool cancellation = true;
  // The nested call continues the incoming call's trace (same trace id, a new span id).
  bool trace_context = true;
};

// Retries of a call that failed with a retryable code, for idempotent methods only (a retried
// request may run twice on the server). Each attempt is a new request; all of them share the
// call's deadline, which a retry never exceeds.
struct RetryPolicy {
  // Attempts in all, the first included (1: no retry).
  int max_attempts = 1;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  double backoff_multiplier = 2.0;
  // Codes worth another attempt.
  std::vector<StatusCode> retryable_codes{StatusCode::kUnavailable};
};

// One per call; must outlive the call (for async calls: until the completion has run) and must
// not be reused. Setters are for before the call starts; TryCancel() may be called from any
// thread at any time.
//
//   brokrpc::ClientContext ctx;
//   ctx.set_timeout(std::chrono::seconds(2));
//   ctx.AddMetadata("tenant", "acme");
//   brokrpc::Status s = stub->Greet(&ctx, request, &response);
class ClientContext {
 public:
  using Clock = std::chrono::system_clock;

  ClientContext() = default;
  ~ClientContext();
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // The absolute deadline of the call. Without one, the channel's default timeout applies.
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  template <typename Rep, typename Period>
  void set_timeout(std::chrono::duration<Rep, Period> timeout) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  }
  std::optional<Clock::time_point> deadline() const { return deadline_; }

  // Metadata sent as AMQP headers (string values). Keys starting with "x-brokrpc-" are reserved:
  // a call carrying one fails with INVALID_ARGUMENT.
  void AddMetadata(std::string key, std::string value) {
    metadata_[std::move(key)] = std::move(value);
  }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // Wait for the broker to come back during an outage instead of failing at once (until the
  // deadline). Also waits while no server consumes the method's queue (the request came back
  // unroutable, so no server saw it): tried again with the retry policy's backoff until the
  // deadline, then the last UNAVAILABLE is returned.
  void set_wait_for_ready(bool wait) { wait_for_ready_ = wait; }
  bool wait_for_ready() const { return wait_for_ready_; }

  // The wire encoding of this call's request (overrides ChannelOptions::encoding): unary and
  // fire-and-forget calls; the reply is decoded by its content_type.
  void set_encoding(Encoding encoding) { encoding_ = encoding; }
  const std::optional<Encoding>& encoding() const { return encoding_; }

  // Retries for this call (overrides ChannelOptions::retry_policy).
  void set_retry_policy(RetryPolicy policy) { retry_policy_ = std::move(policy); }
  const std::optional<RetryPolicy>& retry_policy() const { return retry_policy_; }
  // Attempts the call took (after it completed).
  int attempts() const { return attempts_; }

  // A context for a call made from inside a handler, inheriting what `options` selects of the
  // call `server_context` serves (gRPC's FromServerContext). The result must not outlive
  // `server_context`'s handler by much: it stays linked to it until destroyed (safe either way).
  static std::unique_ptr<ClientContext> FromServerContext(const ServerContext& server_context,
                                                          PropagationOptions options = {});

  // The W3C trace context of the caller's span. A call sends `traceparent` = a child of it (same
  // trace id, a new span id) and its `tracestate`; unset, each call starts a new trace. Metadata
  // named "traceparent" set by the caller is sent as it is instead.
  void set_trace_context(TraceContext trace) { trace_context_ = std::move(trace); }
  const std::optional<TraceContext>& trace_context() const { return trace_context_; }
  // The trace context this call sent (its own span), once it started.
  const std::optional<TraceContext>& sent_trace_context() const { return sent_trace_context_; }

  // Ends the call with CANCELLED if it has not completed. Thread-safe; idempotent.
  void TryCancel();
  bool IsCancelled() const;

  // The correlation id of the call, once it started.
  const std::string& correlation_id() const { return correlation_id_; }
  // Headers of the reply (string values), once it arrived.
  const std::map<std::string, std::string>& response_metadata() const { return response_metadata_; }

 private:
  friend struct internal::ClientContextAccess;
  // Sets what TryCancel() triggers; runs it at once when the context is already cancelled.
  // Pass nullptr to clear.
  void SetCancelHook(std::function<void()> hook);

  std::optional<Clock::time_point> deadline_;
  std::map<std::string, std::string> metadata_;
  bool wait_for_ready_ = false;
  std::optional<RetryPolicy> retry_policy_;
  std::optional<Encoding> encoding_;
  int attempts_ = 0;
  std::string correlation_id_;
  std::map<std::string, std::string> response_metadata_;
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::function<void()> cancel_hook_;
  std::optional<TraceContext> trace_context_;
  std::optional<TraceContext> sent_trace_context_;
  // Set by FromServerContext: the incoming call's cancellation, and this context's entry there.
  std::shared_ptr<internal::CancelLink> parent_link_;
  uint64_t parent_link_id_ = 0;
};

}  // namespace brokrpc

#endif  // BROKRPC_CLIENT_CONTEXT_H_
