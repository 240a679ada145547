#include <fmt/format.h>

#include "brokrpc/client_context.h"
#include "brokrpc/server_context.h"
#include "rpc/wire.h"

namespace brokrpc {

void ClientContext::TryCancel() {
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    hook = cancel_hook_;
  }
  if (hook) hook();
}

bool ClientContext::IsCancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void ClientContext::SetCancelHook(std::function<void()> hook) {
  bool run_now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_hook_ = hook;
    run_now = cancelled_ && hook;
  }
  if (run_now) hook();
}

namespace {
const std::string kEmpty;
}

ServerContext::ServerContext(const Message& request)
    : request_(request), deadline_(internal::RequestDeadline(request)) {
  for (const auto& [key, value] : request.properties.headers) {
    if (key.rfind(internal::kReservedHeaderPrefix, 0) == 0) continue;
    if (const std::string* s = value.get_if<std::string>()) {
      client_metadata_[key] = *s;
    } else if (!value.is_void()) {
      client_metadata_[key] = value.ToString();
    }
  }
  auto tp = client_metadata_.find(std::string(kTraceparentHeader));
  if (tp != client_metadata_.end()) {
    auto ts = client_metadata_.find(std::string(kTracestateHeader));
    trace_context_ = TraceContext::Parse(
        tp->second, ts != client_metadata_.end() ? std::string_view(ts->second) : "");
  }
}

bool ServerContext::IsDeadlineExceeded() const { return deadline_ && Clock::now() >= *deadline_; }

bool ServerContext::IsCancelled() const { return cancelled_.load() || IsDeadlineExceeded(); }

const std::string& ServerContext::correlation_id() const {
  return request_.properties.correlation_id ? *request_.properties.correlation_id : kEmpty;
}

const std::string& ServerContext::reply_to() const {
  return request_.properties.reply_to ? *request_.properties.reply_to : kEmpty;
}

}  // namespace brokrpc
