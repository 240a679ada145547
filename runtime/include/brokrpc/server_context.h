// ServerContext: what a handler knows about the call it serves.
#ifndef BROKRPC_SERVER_CONTEXT_H_
#define BROKRPC_SERVER_CONTEXT_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "brokrpc/message.h"
#include "brokrpc/trace_context.h"

namespace brokrpc {

namespace internal {
class CancelLink;
struct ServerContextAccess;
}  // namespace internal

// Created by the server for each request; valid during the handler. Thread-compatible, except
// IsCancelled() which may be polled while another thread cancels, and Cancel().
class ServerContext {
 public:
  using Clock = std::chrono::system_clock;

  explicit ServerContext(const Message& request);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // The client's deadline (x-brokrpc-deadline, else timestamp + expiration), if it set one.
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // True once the deadline has passed.
  bool IsDeadlineExceeded() const;
  // True when the deadline has passed or the call was cancelled (server shutdown past its
  // deadline, or the client cancelled a stream).
  bool IsCancelled() const;

  // The client's metadata: the request's string headers without the reserved x-brokrpc- ones.
  const std::map<std::string, std::string>& client_metadata() const { return client_metadata_; }
  // Adds a header to the reply (unary calls).
  void AddResponseMetadata(std::string key, std::string value) {
    response_metadata_[std::move(key)] = std::move(value);
  }
  const std::map<std::string, std::string>& response_metadata() const { return response_metadata_; }

  const std::string& routing_key() const { return request_.routing_key; }
  const std::string& exchange() const { return request_.exchange; }
  const std::string& correlation_id() const;
  const std::string& reply_to() const;
  bool redelivered() const { return request_.delivery && request_.delivery->redelivered; }
  // The caller's W3C trace context (headers traceparent / tracestate), when it sent a valid one.
  // ClientContext::FromServerContext continues it.
  const std::optional<TraceContext>& trace_context() const { return trace_context_; }
  // The request as received (body, properties, delivery info).
  const Message& request_message() const { return request_; }

 private:
  friend struct internal::ServerContextAccess;
  // Marks the call cancelled, and cancels the nested calls made with
  // ClientContext::FromServerContext. Thread-safe.
  void Cancel();
  // The link nested calls register with (made on first use). Thread-safe.
  std::shared_ptr<internal::CancelLink> cancel_link() const;
  const Message& request_;
  std::optional<Clock::time_point> deadline_;
  std::map<std::string, std::string> client_metadata_;
  std::map<std::string, std::string> response_metadata_;
  std::atomic<bool> cancelled_{false};
  std::optional<TraceContext> trace_context_;
  mutable std::mutex link_mu_;
  mutable std::shared_ptr<internal::CancelLink> cancel_link_;  // link_mu_
};

}  // namespace brokrpc

#endif  // BROKRPC_SERVER_CONTEXT_H_
