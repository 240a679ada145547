// AmqpTransport's I/O loop: the poll / command loop and the frames read from the broker.
#include <fmt/format.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "amqp/amqp_error.h"
#include "amqp/amqp_transport.h"
#include "base/log.h"
#include "transport/reply_code.h"

namespace brokrpc::internal {
namespace {

// How often the loop wakes when idle, at most (heartbeats need it; the rest is event driven).
constexpr std::chrono::milliseconds kMaxIdleWake{1000};

}  // namespace

thread_local const AmqpTransport* AmqpTransport::tls_driving_ = nullptr;
thread_local const AmqpTransport* AmqpTransport::tls_lead_intent_ = nullptr;

bool AmqpTransport::OnTransportThread() const {
  return tls_driving_ == this || std::this_thread::get_id() == thread_id_.load();
}

bool AmqpTransport::HoldsConnection() const { return tls_driving_ == this; }

bool AmqpTransport::TryDirect(const std::function<void()>& operation) {
  std::unique_lock<std::mutex> lock(conn_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;  // the I/O thread is busy: it runs the command instead
  tls_driving_ = this;
  const bool had_connection = conn_ != nullptr;
  operation();
  FlushAcks();
  tls_driving_ = nullptr;
  bool wake_io = had_connection && conn_ == nullptr;  // the loop reconnects
  bool wake_leader = false;
  if (leader_active_) {
    // What this wrote may be answered after the leader stepped down: hand the socket back then.
    handback_wanted_ = true;
    wake_leader = Buffered();
  } else if (!io_watches_ && tls_lead_intent_ != this) {
    io_watches_ = true;  // nobody reads the socket now, and no one will lead to read the answer
    wake_io = true;
  } else if (Buffered()) {
    wake_io = true;  // a write that had to wait read frames into rabbitmq-c's buffer
  }
  lock.unlock();
  if (wake_io) commands_.Post([] {});
  if (wake_leader) WakeLeader();
  return true;
}

bool AmqpTransport::Buffered() const {
  return conn_ && (amqp_frames_enqueued(conn_->state()) || amqp_data_in_buffer(conn_->state()));
}

int AmqpTransport::PollTimeoutMs() const {
  auto wake = kMaxIdleWake;
  if (heartbeat_ > 0) wake = std::min(wake, std::chrono::milliseconds(heartbeat_ * 1000 / 2));
  return static_cast<int>(wake.count());
}

bool AmqpTransport::HeartbeatReadDue() {
  auto now = Clock::now();
  if (now < next_heartbeat_check_) return false;
  next_heartbeat_check_ = now + std::chrono::milliseconds(PollTimeoutMs());
  return true;
}

void AmqpTransport::Loop() {
  thread_id_ = std::this_thread::get_id();
  tls_driving_ = this;
  std::unique_lock<std::mutex> lock(conn_mu_);
  while (!stop_) {
    pollfd fds[2];
    fds[0] = pollfd{commands_.wake_fd(), POLLIN, 0};
    nfds_t n = 1;
    // The socket is left to a leading caller, and to the next reader after a leader stepped
    // down while nothing needed the socket (the heartbeat reads below still run).
    if (conn_ && io_watches_ && !leader_active_) {
      fds[1] = pollfd{conn_->fd(), POLLIN, 0};
      n = 2;
    }
    int timeout_ms = -1;
    if (!conn_ && reconnect_wanted_ && !reconnect_refused_) {
      auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - Clock::now());
      timeout_ms = static_cast<int>(std::max<int64_t>(0, wait.count()));
    }
    if (conn_) timeout_ms = PollTimeoutMs();
    // Other threads may write to the connection while this one waits (see TryDirect).
    const uint64_t polled_generation = generation_;
    lock.unlock();
    int r = poll(fds, n, timeout_ms);
    lock.lock();
    if (n == 2 && generation_ != polled_generation) fds[1].revents = 0;  // another connection
    if (r < 0 && errno != EINTR) {
      BROKRPC_LOG_ERROR("amqp I/O loop: poll failed: {}", std::strerror(errno));
    }
    size_t ran = 0;
    if (r > 0 && (fds[0].revents & POLLIN)) ran = RunCommands();
    if (!conn_ && reconnect_wanted_ && !reconnect_refused_ && Clock::now() >= next_attempt_) {
      TryReconnect();
    }
    if (!conn_) continue;
    // Read from the socket only when poll says so (or for heartbeats): a read that finds
    // nothing costs a system call per wake-up. A leader does both itself.
    bool readable = false;
    if (!leader_active_) readable = (n == 2 && fds[1].revents != 0) || HeartbeatReadDue();
    const int frames = DrainFrames(readable);
    FlushAcks();
    if (!leader_active_ && (ran > 0 || frames > 0)) io_watches_ = true;
  }
  // Run what was posted before the stop, so no caller waits forever.
  RunCommands();
  DoDisconnect(false, UnavailableError("transport shut down"), false);
}

size_t AmqpTransport::RunCommands() {
  std::deque<CommandQueue::Command> batch;
  commands_.TakeAll(&batch);
  const size_t n = batch.size();
  while (!batch.empty()) {
    CommandQueue::Command c = std::move(batch.front());
    batch.pop_front();
    c();
  }
  return n;
}

int AmqpTransport::DrainFrames(bool read_socket) {
  // A non-zero timeout (1 us) makes rabbitmq-c both send heartbeats when due and report
  // AMQP_STATUS_HEARTBEAT_TIMEOUT when the broker has been silent for two intervals; with a
  // zero timeout it only does the former.
  timeval tiny{0, 1};
  int frames = 0;
  while (conn_) {
    amqp_connection_state_t state = conn_->state();
    bool buffered = amqp_frames_enqueued(state) || amqp_data_in_buffer(state);
    if (!buffered && !read_socket) break;
    read_socket = false;  // one read per wake-up; poll tells when there is more
    amqp_frame_t frame;
    int rc = amqp_simple_wait_frame_noblock(state, &frame, &tiny);
    if (rc == AMQP_STATUS_TIMEOUT) break;
    if (rc == AMQP_STATUS_HEARTBEAT_TIMEOUT) {
      ConnectionLost(UnavailableError(fmt::format(
          "no data from the broker for two heartbeat intervals ({} s each)", heartbeat_.load())));
      return frames;
    }
    if (rc != AMQP_STATUS_OK) {
      ConnectionLost(StatusFromLibrary("read", rc));
      return frames;
    }
    ++frames;
    OnFrame(frame);
  }
  if (conn_ && !amqp_frames_enqueued(conn_->state())) amqp_maybe_release_buffers(conn_->state());
  return frames;
}

void AmqpTransport::OnFrame(const amqp_frame_t& frame) {
  if (frame.frame_type == AMQP_FRAME_METHOD) {
    OnMethod(frame.channel, frame.payload.method);
    return;
  }
  std::optional<Content> done = contents_.OnFrame(frame);
  if (done) OnContentComplete(frame.channel, std::move(*done));
}

void AmqpTransport::OnMethod(uint16_t ch, const amqp_method_t& method) {
  switch (method.id) {
    case AMQP_BASIC_DELIVER_METHOD: {
      auto* d = static_cast<amqp_basic_deliver_t*>(method.decoded);
      contents_.StartDelivery(ch, *d,
                              ((generation_ & 0xFFFF) << kTagGenerationShift) | d->delivery_tag);
      return;
    }
    case AMQP_BASIC_RETURN_METHOD: {
      auto* r = static_cast<amqp_basic_return_t*>(method.decoded);
      contents_.StartReturn(ch, *r);
      return;
    }
    case AMQP_BASIC_ACK_METHOD: {
      auto* a = static_cast<amqp_basic_ack_t*>(method.decoded);
      Lane* lane = channels_.LaneOn(ch);
      if (lane != nullptr) {
        lane->confirms.OnAck(a->delivery_tag, a->multiple != 0,
                             listeners_.timing_confirms() ? &listeners_ : nullptr);
      }
      return;
    }
    case AMQP_BASIC_NACK_METHOD: {
      auto* a = static_cast<amqp_basic_nack_t*>(method.decoded);
      Lane* lane = channels_.LaneOn(ch);
      if (lane != nullptr) lane->confirms.OnNack(a->delivery_tag, a->multiple != 0);
      return;
    }
    case AMQP_BASIC_CANCEL_METHOD: {  // the broker cancelled a consumer (queue deleted, ...)
      ConsumerState* consumer = channels_.ConsumerOn(ch);
      if (consumer == nullptr) return;
      ConsumerState& c = *consumer;
      if (c.gone) return;
      c.gone = true;
      // A copy: the callback may release the consumer (and so destroy `c`) while it runs.
      ConsumerGoneHandler on_gone = c.request.on_gone;
      if (on_gone) {
        on_gone(UnavailableError(
            fmt::format("consumer of queue '{}' was cancelled by the broker (queue deleted?)",
                        c.request.queue)));
      }
      return;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      int code = 0;
      std::string text;
      CloseReason(method, &code, &text);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(conn_->state(), ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      // A publishing channel closed by the broker: its publishes fail with this (403
      // ACCESS_REFUSED names the exchange the user may not write to).
      std::string what = channels_.LaneOn(ch) != nullptr ? fmt::format("publish (channel {})", ch)
                                                         : fmt::format("channel {}", ch);
      OnChannelClosed(ch, code, ReplyStatus(what, code, text));
      return;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      int code = 0;
      std::string text;
      CloseReason(method, &code, &text);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(conn_->state(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      ConnectionLost(ReplyStatus("the broker closed the connection", code, text));
      return;
    }
    case AMQP_CONNECTION_BLOCKED_METHOD: {
      auto* b = static_cast<amqp_connection_blocked_t*>(method.decoded);
      std::string reason(static_cast<const char*>(b->reason.bytes), b->reason.len);
      OnBlocked(reason.empty() ? "resource alarm" : std::move(reason));
      return;
    }
    case AMQP_CONNECTION_UNBLOCKED_METHOD:
      OnUnblocked();
      return;
    case AMQP_CHANNEL_FLOW_METHOD: {
      auto* f = static_cast<amqp_channel_flow_t*>(method.decoded);
      amqp_channel_flow_ok_t ok{f->active};
      amqp_send_method(conn_->state(), ch, AMQP_CHANNEL_FLOW_OK_METHOD, &ok);
      return;
    }
    default:
      BROKRPC_LOG_DEBUG("ignoring method 0x{:08x} on channel {}", method.id, ch);
      return;
  }
}

void AmqpTransport::OnContentComplete(uint16_t ch, Content&& c) {
  if (c.is_return) {
    Lane* lane = channels_.LaneOn(ch);
    if (lane == nullptr) return;
    lane->confirms.OnReturn(
        c.message.properties.message_id, c.reply_code,
        ReplyStatus(fmt::format("publish to exchange '{}' with routing key '{}'",
                                c.message.exchange, c.message.routing_key),
                    c.reply_code, c.reply_text));
    return;
  }
  ConsumerState* on_channel = channels_.ConsumerOn(ch);
  if (on_channel == nullptr) return;
  ConsumerState& consumer = *on_channel;
  // After CancelConsumer no delivery is dispatched; it stays unacked until the channel closes,
  // which requeues it.
  if (consumer.cancelled || consumer.gone) return;
  if (!consumer.request.no_ack && c.message.delivery) {
    consumer.acks.Delivered(c.message.delivery->delivery_tag &
                            ((uint64_t{1} << kTagGenerationShift) - 1));
  }
  consumer.request.on_delivery(std::move(c.message));
}

void AmqpTransport::OnChannelClosed(uint16_t ch, int reply_code, const Status& why) {
  Lane* lane = channels_.LaneOn(ch);
  ConsumerState* consumer = channels_.ConsumerOn(ch);
  std::optional<ChannelUse> use = channels_.Free(ch);
  if (!use) return;
  contents_.Forget(ch);
  switch (use->kind) {
    case ChannelUse::Kind::kTopology:
      topology_channel_ = 0;
      break;
    case ChannelUse::Kind::kLane: {
      if (lane != nullptr) {
        lane->channel = 0;
        lane->confirms.FailAll(PublishOutcome::ChannelError(reply_code, why));
      }
      break;
    }
    case ChannelUse::Kind::kConsumer: {
      if (consumer != nullptr) {
        consumer->channel = 0;
        consumer->acks.Reset();
        const bool notify = !consumer->gone;
        consumer->gone = true;
        // A copy, called last: the callback may release the consumer (destroying `*consumer`).
        ConsumerGoneHandler on_gone = consumer->request.on_gone;
        if (notify && on_gone) on_gone(why);
      }
      break;
    }
  }
}

}  // namespace brokrpc::internal
