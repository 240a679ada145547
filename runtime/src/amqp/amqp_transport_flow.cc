// AmqpTransport's broker flow control: while RabbitMQ blocks the connection (connection.blocked,
// sent on a memory or disk alarm) publishes wait here instead of piling up in a socket the broker
// no longer reads; they go out in order when it unblocks, or fail when the connection goes first.
#include "amqp/amqp_transport.h"
#include "base/log.h"

namespace brokrpc::internal {

std::optional<std::string> AmqpTransport::blocked_reason() const {
  std::lock_guard<std::mutex> lock(blocked_mu_);
  return blocked_reason_;
}

void AmqpTransport::Hold(std::function<void()> operation) { held_.push_back(std::move(operation)); }

void AmqpTransport::OnBlocked(std::string reason) {
  if (blocked_) return;
  BROKRPC_LOG_WARNING("the broker blocked publishing on this connection ({}); publishes wait",
                      reason);
  blocked_ = true;
  std::lock_guard<std::mutex> lock(blocked_mu_);
  blocked_reason_ = std::move(reason);
}

void AmqpTransport::OnUnblocked() {  // also when the connection is gone (then they fail)
  if (blocked_ && conn_) {
    BROKRPC_LOG_INFO("the broker unblocked the connection: {} held publishes go out", held_.size());
  }
  blocked_ = false;
  {
    std::lock_guard<std::mutex> lock(blocked_mu_);
    blocked_reason_.reset();
  }
  // One at a time: an operation may hold itself again (never, while unblocked) or add more.
  while (!held_.empty()) {
    std::function<void()> operation = std::move(held_.front());
    held_.pop_front();
    operation();
  }
}

}  // namespace brokrpc::internal
