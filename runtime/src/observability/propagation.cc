// Propagation from a handler to its nested calls: ClientContext::FromServerContext, the
// CancelLink between the two contexts, and ServerContext's cancellation.
#include <vector>

#include "brokrpc/client_context.h"
#include "brokrpc/server_context.h"
#include "observability/cancel_link.h"
#include "rpc/context_access.h"

namespace brokrpc {
namespace internal {

uint64_t CancelLink::Add(ClientContext* child) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  uint64_t id = next_id_++;
  children_[id] = child;
  if (cancelled_) child->TryCancel();
  return id;
}

void CancelLink::Remove(uint64_t id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  children_.erase(id);
}

void CancelLink::CancelAll() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (cancelled_) return;
  cancelled_ = true;
  std::vector<uint64_t> ids;
  for (const auto& [id, child] : children_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = children_.find(id);  // a completion may have destroyed (removed) it meanwhile
    if (it != children_.end()) it->second->TryCancel();
  }
}

}  // namespace internal

ClientContext::~ClientContext() {
  if (parent_link_) parent_link_->Remove(parent_link_id_);
}

std::unique_ptr<ClientContext> ClientContext::FromServerContext(const ServerContext& server_context,
                                                                PropagationOptions options) {
  auto ctx = std::make_unique<ClientContext>();
  if (options.deadline && server_context.deadline()) ctx->set_deadline(*server_context.deadline());
  if (options.trace_context && server_context.trace_context()) {
    ctx->set_trace_context(*server_context.trace_context());
  }
  if (options.cancellation) {
    ctx->parent_link_ = internal::ServerContextAccess::GetCancelLink(server_context);
    ctx->parent_link_id_ = ctx->parent_link_->Add(ctx.get());
    // Cancelled before the link existed (Cancel() found none to notify).
    if (server_context.IsCancelled() && !server_context.IsDeadlineExceeded()) ctx->TryCancel();
  }
  return ctx;
}

ServerContext::~ServerContext() = default;

void ServerContext::Cancel() {
  cancelled_ = true;
  std::shared_ptr<internal::CancelLink> link;
  {
    std::lock_guard<std::mutex> lock(link_mu_);
    link = cancel_link_;
  }
  if (link) link->CancelAll();
}

std::shared_ptr<internal::CancelLink> ServerContext::cancel_link() const {
  std::lock_guard<std::mutex> lock(link_mu_);
  if (!cancel_link_) cancel_link_ = std::make_shared<internal::CancelLink>();
  return cancel_link_;
}

}  // namespace brokrpc
