// AmqpTransport's leader/follower: a synchronous caller reads its own reply from the socket, so
// the answer to a call wakes one thread (the caller) instead of two (I/O thread, then caller).
#include <poll.h>

#include "amqp/amqp_transport.h"

namespace brokrpc::internal {

void AmqpTransport::SetLeadIntent(bool intends) { tls_lead_intent_ = intends ? this : nullptr; }

void AmqpTransport::WakeLeader() {
  if (leader_polling_.load()) lead_wake_.Signal();
}

bool AmqpTransport::MayLead() const {
  if (!conn_ || leader_active_ || stop_) return false;
  for (const auto& [id, c] : consumers_) {
    if (!c.request.no_ack && !c.cancelled && !c.gone) return false;
  }
  return true;
}

bool AmqpTransport::IoMustWatch() const {
  if (handback_wanted_ || !conn_ || stop_) return true;
  for (const auto& [id, lane] : lanes_) {
    if (lane.confirms.pending() > 0) return true;  // a confirm (or return) still to read
  }
  return !MayLead();  // a consumer that acks appeared meanwhile
}

bool AmqpTransport::Lead(const std::function<bool()>& done) {
  if (OnTransportThread()) return false;
  std::unique_lock<std::mutex> lock(conn_mu_);
  if (!MayLead()) {
    // Somebody else reads the socket, or must: make sure of it before the caller waits.
    bool wake_io = false;
    if (leader_active_) {
      handback_wanted_ = true;
    } else if (!io_watches_) {
      io_watches_ = true;
      wake_io = true;
    }
    lock.unlock();
    if (wake_io) commands_.Post([] {});
    return false;
  }
  leader_active_ = true;
  io_watches_ = false;
  tls_driving_ = this;
  bool finished = false;
  bool drained_buffer = false;  // frames already buffered are dispatched before any poll
  while (conn_ && !stop_) {
    if (done()) {
      finished = true;
      break;
    }
    bool readable = false;
    if (!drained_buffer && Buffered()) {
      drained_buffer = true;
    } else {
      drained_buffer = false;
      const int fd = conn_->fd();
      const uint64_t polled_generation = generation_;
      const int timeout_ms = PollTimeoutMs();
      // Announce the poll, then look at done() once more: a thread that makes done() true
      // after this sees leader_polling_ and signals lead_wake_ (sequentially consistent).
      leader_polling_.store(true);
      if (done()) {
        leader_polling_.store(false);
        finished = true;
        break;
      }
      tls_driving_ = nullptr;
      lock.unlock();
      pollfd fds[2] = {pollfd{fd, POLLIN, 0}, pollfd{lead_wake_.fd(), POLLIN, 0}};
      const int r = poll(fds, 2, timeout_ms);
      lock.lock();
      tls_driving_ = this;
      leader_polling_.store(false);
      if (r > 0 && fds[1].revents != 0) lead_wake_.Clear();
      if (!conn_ || generation_ != polled_generation) break;
      readable = r > 0 && fds[0].revents != 0;
    }
    if (HeartbeatReadDue()) readable = true;
    DrainFrames(readable);
    FlushAcks();
  }
  tls_driving_ = nullptr;
  leader_active_ = false;
  const bool wake_io = IoMustWatch();
  if (wake_io) {
    io_watches_ = true;
    handback_wanted_ = false;
  }
  lock.unlock();
  if (wake_io) commands_.Post([] {});
  return finished;
}

}  // namespace brokrpc::internal
