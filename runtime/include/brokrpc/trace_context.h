// TraceContext: a W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels in the
// AMQP headers `traceparent` and `tracestate`.
#ifndef BROKRPC_TRACE_CONTEXT_H_
#define BROKRPC_TRACE_CONTEXT_H_

#include <optional>
#include <string>
#include <string_view>

namespace brokrpc {

// The AMQP header names (string values), as W3C Trace Context names its HTTP headers.
inline constexpr std::string_view kTraceparentHeader = "traceparent";
inline constexpr std::string_view kTracestateHeader = "tracestate";

// One hop's trace context: the trace id shared by every hop of a request, the span id of the
// caller's span (the W3C "parent-id"), the trace flags and the vendor tracestate. A value type;
// thread-compatible (const use from many threads is safe).
//
//   ctx.set_trace_context(brokrpc::TraceContext::Parse(incoming_traceparent).value());
class TraceContext {
 public:
  // A new trace: random trace id and span id, flags 01 (sampled).
  static TraceContext NewRoot();
  // Parses a `traceparent` value (version 00, or a later version read as 00); nullopt when it is
  // malformed or carries the all-zero trace or span id.
  static std::optional<TraceContext> Parse(std::string_view traceparent,
                                           std::string_view tracestate = {});

  // The next hop: same trace id, flags and tracestate, a new random span id.
  TraceContext NewChild() const;

  // "00-<trace id>-<span id>-<flags>".
  std::string ToTraceparent() const;

  // 32 lowercase hex characters.
  const std::string& trace_id() const { return trace_id_; }
  // 16 lowercase hex characters.
  const std::string& span_id() const { return span_id_; }
  // Bit 0: sampled.
  unsigned flags() const { return flags_; }
  bool sampled() const { return (flags_ & 1u) != 0; }
  const std::string& tracestate() const { return tracestate_; }
  void set_tracestate(std::string tracestate) { tracestate_ = std::move(tracestate); }

  friend bool operator==(const TraceContext&, const TraceContext&) = default;

 private:
  TraceContext() = default;
  std::string trace_id_;
  std::string span_id_;
  unsigned flags_ = 0;
  std::string tracestate_;
};

}  // namespace brokrpc

#endif  // BROKRPC_TRACE_CONTEXT_H_
