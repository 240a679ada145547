// The RPC layer's access to what the public Service, ClientContext and ServerContext keep
// private (each befriends its accessor): the call machinery's side of those types.
#ifndef BROKRPC_SRC_RPC_CONTEXT_ACCESS_H_
#define BROKRPC_SRC_RPC_CONTEXT_ACCESS_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "brokrpc/client_context.h"
#include "brokrpc/server_context.h"
#include "brokrpc/service.h"

namespace brokrpc::internal {

// What the client call paths set on a ClientContext.
struct ClientContextAccess {
  // What TryCancel() triggers (nullptr clears); runs at once when already cancelled.
  static void SetCancelHook(ClientContext& context, std::function<void()> hook) {
    context.SetCancelHook(std::move(hook));
  }
  static void SetCorrelationId(ClientContext& context, std::string id) {
    context.correlation_id_ = std::move(id);
  }
  static void SetSentTraceContext(ClientContext& context, std::optional<TraceContext> trace) {
    context.sent_trace_context_ = std::move(trace);
  }
  static void SetAttempts(ClientContext& context, int attempts) { context.attempts_ = attempts; }
  static std::map<std::string, std::string>& ResponseMetadata(ClientContext& context) {
    return context.response_metadata_;
  }
};

// What the server sets on a ServerContext.
struct ServerContextAccess {
  // Marks the call cancelled (IsCancelled() turns true) and cancels its nested calls.
  static void Cancel(ServerContext& context) { context.Cancel(); }
  // The link calls made with ClientContext::FromServerContext register with.
  static std::shared_ptr<CancelLink> GetCancelLink(const ServerContext& context) {
    return context.cancel_link();
  }
};

// The handlers a Service registered.
struct ServiceAccess {
  static const MethodHandlers& Handlers(const Service& service, size_t method_index) {
    return service.handlers_.at(method_index);
  }
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CONTEXT_ACCESS_H_
