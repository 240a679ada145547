#include "amqp/amqp_transport.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/time.h>

#include <future>
#include <vector>

#include "amqp/amqp_error.h"
#include "broker_core.h"
#include "log.h"
#include "reply_code.h"

namespace brokrpc::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Delivery tags handed out carry the connection generation above this bit (the first
// connection is generation 1, so tags are never equal to a later connection's).
constexpr int kTagGenerationShift = 48;

// How often the loop wakes when idle, at most (heartbeats need it; the rest is event driven).
constexpr std::chrono::milliseconds kMaxIdleWake{1000};

amqp_bytes_t Bytes(const std::string& s) { return BytesView(s); }

}  // namespace

std::unique_ptr<Transport> NewAmqpTransport(const BrokerUrl& url) {
  return std::make_unique<AmqpTransport>(url);
}

AmqpTransport::AmqpTransport(BrokerUrl url)
    : url_(std::move(url)),
      backoff_(url_.reconnect_initial, url_.reconnect_max),
      contents_(url_.max_message_size) {}

AmqpTransport::~AmqpTransport() {
  Close();
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    accepting_ = false;
    stop_ = true;
  }
  commands_.Post([] {});
  if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------- thread plumbing

void AmqpTransport::StartThread() {
  std::lock_guard<std::mutex> lock(thread_mu_);
  if (thread_.joinable() || stop_) return;
  accepting_ = true;
  thread_ = std::thread([this] { Loop(); });
}

bool AmqpTransport::Post(CommandQueue::Command command) {
  std::lock_guard<std::mutex> lock(thread_mu_);
  if (!accepting_) return false;
  commands_.Post(std::move(command));
  return true;
}

template <typename T>
T AmqpTransport::Call(std::function<T()> fn, T not_running) {
  if (OnTransportThread()) {
    return T(FailedPreconditionError(
        "a blocking broker operation was called on the connection's I/O thread (from a "
        "transport callback); call it from another thread"));
  }
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  if (!Post([promise, fn = std::move(fn)] { promise->set_value(fn()); })) return not_running;
  return future.get();
}

void AmqpTransport::Loop() {
  thread_id_ = std::this_thread::get_id();
  while (!stop_) {
    pollfd fds[2];
    fds[0] = pollfd{commands_.wake_fd(), POLLIN, 0};
    nfds_t n = 1;
    if (conn_) {
      fds[1] = pollfd{conn_->fd(), POLLIN, 0};
      n = 2;
    }
    int timeout_ms = -1;
    if (!conn_ && reconnect_wanted_) {
      auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - Clock::now());
      timeout_ms = static_cast<int>(std::max<int64_t>(0, wait.count()));
    }
    if (conn_) {
      auto wake = kMaxIdleWake;
      if (heartbeat_ > 0) {
        wake = std::min(wake, std::chrono::milliseconds(heartbeat_ * 1000 / 2));
      }
      timeout_ms = static_cast<int>(wake.count());
    }
    int r = poll(fds, n, timeout_ms);
    if (r < 0 && errno != EINTR) {
      BROKRPC_LOG_ERROR("amqp I/O loop: poll failed: {}", std::strerror(errno));
    }
    if (r > 0 && (fds[0].revents & POLLIN)) RunCommands();
    if (!conn_ && reconnect_wanted_ && Clock::now() >= next_attempt_) TryReconnect();
    if (!conn_) continue;
    // Read from the socket only when poll says so (or for heartbeats): a read that finds
    // nothing costs a system call per wake-up.
    bool readable = n == 2 && fds[1].revents != 0;
    auto now = Clock::now();
    if (now >= next_heartbeat_check_) {
      readable = true;
      next_heartbeat_check_ = now + std::chrono::milliseconds(timeout_ms);
    }
    DrainFrames(readable);
  }
  // Run what was posted before the stop, so no caller waits forever.
  RunCommands();
  DoDisconnect(false, UnavailableError("transport shut down"), false);
}

void AmqpTransport::RunCommands() {
  std::deque<CommandQueue::Command> batch;
  commands_.TakeAll(&batch);
  while (!batch.empty()) {
    CommandQueue::Command c = std::move(batch.front());
    batch.pop_front();
    c();
  }
}

// ---------------------------------------------------------------- connection

Status AmqpTransport::Connect() {
  StartThread();
  return Call<Status>([this] { return DoConnect(); },
                      UnavailableError("connect: the transport is shut down"));
}

Status AmqpTransport::DoConnect() {
  if (conn_) return OkStatus();
  auto conn = AmqpConnection::Open(url_, backoff_.host_index());
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  ++generation_;
  heartbeat_ = static_cast<int>(conn_->heartbeat().count());
  channels_.Reset();
  next_heartbeat_check_ = Clock::now();
  connected_ = true;
  BROKRPC_LOG_INFO("connected to {} (heartbeat {} s)", url_.Redacted(), heartbeat_.load());
  if (reconnect_wanted_) {
    reconnect_wanted_ = false;
    RestoreTopology();
    NotifyRestored();
  }
  return OkStatus();
}

void AmqpTransport::TryReconnect() {
  Status s = DoConnect();
  if (s.ok()) return;
  auto wait = backoff_.Failed();  // the next host, a longer backoff with jitter
  next_attempt_ = Clock::now() + wait;
  // The first failure is worth a warning; the retries that follow are routine.
  BROKRPC_LOG(backoff_.early() ? LogLevel::kWarning : LogLevel::kDebug,
              "reconnect to {} failed ({}); next attempt in {} ms", url_.Redacted(), s.message(),
              wait.count());
}

void AmqpTransport::NotifyRestored() {
  std::vector<ConnectionListener> listeners;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    for (auto& [id, l] : listeners_) listeners.push_back(l);
  }
  for (auto& l : listeners) {
    if (l.on_restored) l.on_restored();
  }
}

Status AmqpTransport::Subscribe(uint64_t id, ConsumerState& c) {
  std::string op = fmt::format("consume queue '{}'", c.request.queue);
  auto ch = OpenChannel({ChannelUse::Kind::kConsumer, id});
  if (!ch.ok()) return ch.status().WithContext(op);
  amqp_basic_qos(conn_->state(), *ch, 0, c.request.prefetch_count, 0);
  BROKRPC_RETURN_IF_ERROR(CheckReply(op + ": basic.qos", *ch));
  amqp_basic_consume_ok_t* ok =
      amqp_basic_consume(conn_->state(), *ch, Bytes(c.request.queue), amqp_empty_bytes, 0, 0,
                         c.request.exclusive ? 1 : 0, amqp_empty_table);
  BROKRPC_RETURN_IF_ERROR(CheckReply(op, *ch));
  c.channel = *ch;
  c.tag = ToString(ok->consumer_tag);
  return OkStatus();
}

void AmqpTransport::RestoreTopology() {
  TopologyJournal::RestoreSteps steps;
  steps.exchange = [this](const ResolvedExchange& e) {
    Status s = OnTopologyChannel(fmt::format("restore exchange '{}'", e.name), [&](uint16_t ch) {
      AmqpArena arena;
      std::string type(ExchangeTypeName(e.type));
      amqp_exchange_declare(conn_->state(), ch, Bytes(e.name), Bytes(type), 0, e.durable,
                            e.auto_delete, 0, EncodeTable(e.arguments, &arena));
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  steps.queue = [this](const std::string& name, const ResolvedQueue& q, std::string* actual) {
    Status s = OnTopologyChannel(fmt::format("restore queue '{}'", name), [&](uint16_t ch) {
      AmqpArena arena;
      amqp_queue_declare_ok_t* ok =
          amqp_queue_declare(conn_->state(), ch, Bytes(q.name), 0, q.durable, q.exclusive,
                             q.auto_delete, EncodeTable(q.arguments, &arena));
      if (ok != nullptr) *actual = ToString(ok->queue);
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  steps.binding = [this](const TopologyJournal::Binding& b) {
    Status s = OnTopologyChannel(fmt::format("restore binding of '{}'", b.queue), [&](uint16_t ch) {
      AmqpArena arena;
      amqp_queue_bind(conn_->state(), ch, Bytes(b.queue), Bytes(b.exchange), Bytes(b.key),
                      EncodeTable(b.arguments, &arena));
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  std::optional<TopologyJournal::Renames> renamed = journal_.Restore(steps);
  if (!renamed) return;  // the connection was lost again
  for (auto& [id, c] : consumers_) {
    if (c.cancelled || c.gone) continue;
    TopologyJournal::ApplyRename(*renamed, &c.request.queue);
    Status s = Subscribe(id, c);
    if (!conn_) return;
    if (!s.ok()) {
      BROKRPC_LOG_WARNING("{}", s.message());
      c.gone = true;
      if (c.request.on_gone) c.request.on_gone(s);
    }
  }
  BROKRPC_LOG_INFO("connection to {} restored: {} exchanges, {} queues, {} bindings, {} consumers",
                   url_.Redacted(), journal_.exchanges().size(), journal_.queues().size(),
                   journal_.bindings().size(), consumers_.size());
}

void AmqpTransport::Close() {
  Call<Status>(
      [this] {
        reconnect_wanted_ = false;
        DoDisconnect(true, UnavailableError("connection closed by the application"), false);
        return OkStatus();
      },
      OkStatus())
      .IgnoreError();
}

void AmqpTransport::DoDisconnect(bool graceful, const Status& why, bool notify) {
  if (!conn_) return;
  connected_ = false;
  if (graceful) conn_->Close(true);
  conn_.reset();
  heartbeat_ = 0;
  channels_.Reset();
  contents_.Clear();
  topology_channel_ = 0;
  for (auto& [id, lane] : lanes_) {
    lane.channel = 0;
    lane.confirms.FailAll(why);
  }
  bool restore = notify && url_.reconnect;
  std::unordered_map<uint64_t, ConsumerState> consumers;
  if (restore) {
    for (auto& [id, c] : consumers_) c.channel = 0;  // re-subscribed after the reconnect
  } else {
    consumers.swap(consumers_);
  }
  if (notify) {
    for (auto& [id, c] : consumers) {
      if (!c.gone && !c.cancelled && c.request.on_gone) c.request.on_gone(why);
    }
    std::vector<ConnectionListener> listeners;
    {
      std::lock_guard<std::mutex> lock(listeners_mu_);
      for (auto& [id, l] : listeners_) listeners.push_back(l);
    }
    for (auto& l : listeners) {
      if (l.on_lost) l.on_lost(why);
    }
  }
}

void AmqpTransport::ConnectionLost(const Status& why) {
  if (!conn_) return;
  Status status(StatusCode::kUnavailable,
                fmt::format("connection to {} lost: {}", conn_->peer(), why.message()));
  BROKRPC_LOG_WARNING("{}", status.message());
  DoDisconnect(false, status, true);
  if (url_.reconnect) {
    reconnect_wanted_ = true;
    next_attempt_ = Clock::now() + backoff_.Restart();
  }
}

Status AmqpTransport::NotConnected(const std::string& operation) const {
  return UnavailableError(fmt::format("{}: not connected to {}", operation, url_.Redacted()));
}

uint64_t AmqpTransport::AddConnectionListener(ConnectionListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void AmqpTransport::RemoveConnectionListener(uint64_t id) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.erase(id);
}

// ---------------------------------------------------------------- frames

void AmqpTransport::DrainFrames(bool read_socket) {
  // A non-zero timeout (1 us) makes rabbitmq-c both send heartbeats when due and report
  // AMQP_STATUS_HEARTBEAT_TIMEOUT when the broker has been silent for two intervals; with a
  // zero timeout it only does the former.
  timeval tiny{0, 1};
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
      return;
    }
    if (rc != AMQP_STATUS_OK) {
      ConnectionLost(StatusFromLibrary("read", rc));
      return;
    }
    OnFrame(frame);
  }
  if (conn_ && !amqp_frames_enqueued(conn_->state())) amqp_maybe_release_buffers(conn_->state());
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
      contents_.StartDelivery(
          ch, *d, ((generation_ & 0xFFFF) << kTagGenerationShift) | d->delivery_tag);
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
      if (lane != nullptr) lane->confirms.OnAck(a->delivery_tag, a->multiple != 0);
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
      if (c.request.on_gone) {
        c.request.on_gone(UnavailableError(
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
      OnChannelClosed(ch, ReplyStatus(fmt::format("channel {}", ch), code, text));
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
    case AMQP_CONNECTION_BLOCKED_METHOD:
      BROKRPC_LOG_WARNING("the broker blocked the connection (resource alarm); publishes wait");
      return;
    case AMQP_CONNECTION_UNBLOCKED_METHOD:
      BROKRPC_LOG_INFO("the broker unblocked the connection");
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
        c.message.properties.message_id,
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
  consumer.request.on_delivery(std::move(c.message));
}

void AmqpTransport::OnChannelClosed(uint16_t ch, const Status& why) {
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
        lane->confirms.FailAll(why);
      }
      break;
    }
    case ChannelUse::Kind::kConsumer: {
      if (consumer != nullptr) {
        consumer->channel = 0;
        if (!consumer->gone && consumer->request.on_gone) consumer->request.on_gone(why);
        consumer->gone = true;
      }
      break;
    }
  }
}

// ---------------------------------------------------------------- channels

StatusOr<uint16_t> AmqpTransport::OpenChannel(ChannelUse use) {
  if (!conn_) return NotConnected("open channel");
  StatusOr<uint16_t> allocated = channels_.Allocate(use, conn_->channel_max());
  if (!allocated.ok()) return allocated.status();
  uint16_t ch = *allocated;
  amqp_channel_open(conn_->state(), ch);
  Status s = CheckReply(fmt::format("open channel {}", ch), ch);
  if (!s.ok()) return s;
  return ch;
}

void AmqpTransport::CloseChannel(uint16_t ch) {
  if (!conn_ || !channels_.in_use(ch)) return;
  amqp_channel_close(conn_->state(), ch, AMQP_REPLY_SUCCESS);
  contents_.Forget(ch);
  channels_.Free(ch);
}

Status AmqpTransport::CheckReply(const std::string& operation, uint16_t ch) {
  if (!conn_) return NotConnected(operation);
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_->state());
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return OkStatus();
  Status s = StatusFromReply(operation, reply);
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
    if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      amqp_channel_close_ok_t ok{};
      amqp_send_method(conn_->state(), ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      OnChannelClosed(ch, s);
    } else if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
      amqp_connection_close_ok_t ok{};
      amqp_send_method(conn_->state(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      ConnectionLost(s);
    }
  } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    ConnectionLost(s);
  }
  return s;
}

Status AmqpTransport::CheckWrite(const std::string& operation, int rc) {
  if (rc == AMQP_STATUS_OK) return OkStatus();
  Status s = StatusFromLibrary(operation, rc);
  ConnectionLost(s);
  return s;
}

Status AmqpTransport::OnTopologyChannel(const std::string& operation,
                                        const std::function<void(uint16_t)>& call) {
  if (!conn_) return NotConnected(operation);
  if (topology_channel_ == 0) {
    auto ch = OpenChannel({ChannelUse::Kind::kTopology, 0});
    if (!ch.ok()) return ch.status().WithContext(operation);
    topology_channel_ = *ch;
  }
  uint16_t ch = topology_channel_;
  call(ch);
  return CheckReply(operation, ch);
}

// ---------------------------------------------------------------- topology

Status AmqpTransport::DeclareExchange(const ResolvedExchange& e) {
  if (!connected_) return NotConnected("declare exchange");
  return Call<Status>(
      [this, &e] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(e.arguments, &arena);
        std::string type(ExchangeTypeName(e.type));
        Status s =
            OnTopologyChannel(fmt::format("declare exchange '{}'", e.name), [&](uint16_t ch) {
              amqp_exchange_declare(conn_->state(), ch, Bytes(e.name), Bytes(type), 0, e.durable,
                                    e.auto_delete, 0, args);
            });
        if (s.ok()) journal_.AddExchange(e);
        return s;
      },
      NotConnected("declare exchange"));
}

StatusOr<std::string> AmqpTransport::DeclareQueue(const ResolvedQueue& q) {
  if (!connected_) return NotConnected("declare queue");
  return Call<StatusOr<std::string>>(
      [this, &q]() -> StatusOr<std::string> {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(q.arguments, &arena);
        std::string name;
        Status s = OnTopologyChannel(fmt::format("declare queue '{}'", q.name), [&](uint16_t ch) {
          amqp_queue_declare_ok_t* ok = amqp_queue_declare(
              conn_->state(), ch, Bytes(q.name), 0, q.durable, q.exclusive, q.auto_delete, args);
          if (ok != nullptr) name = ToString(ok->queue);
        });
        if (!s.ok()) return s;
        journal_.AddQueue(name, q);
        return name;
      },
      NotConnected("declare queue"));
}

Status AmqpTransport::BindQueue(const std::string& queue, const std::string& exchange,
                                const std::string& key, const FieldTable& arguments) {
  if (!connected_) return NotConnected("bind queue");
  return Call<Status>(
      [&, this] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(arguments, &arena);
        Status s = OnTopologyChannel(
            fmt::format("bind queue '{}' to exchange '{}' with key '{}'", queue, exchange, key),
            [&](uint16_t ch) {
              amqp_queue_bind(conn_->state(), ch, Bytes(queue), Bytes(exchange), Bytes(key), args);
            });
        if (s.ok()) journal_.AddBinding({queue, exchange, key, arguments});
        return s;
      },
      NotConnected("bind queue"));
}

Status AmqpTransport::UnbindQueue(const std::string& queue, const std::string& exchange,
                                  const std::string& key, const FieldTable& arguments) {
  return Call<Status>(
      [&, this] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(arguments, &arena);
        Status s = OnTopologyChannel(
            fmt::format("unbind queue '{}' from exchange '{}' key '{}'", queue, exchange, key),
            [&](uint16_t ch) {
              amqp_queue_unbind(conn_->state(), ch, Bytes(queue), Bytes(exchange), Bytes(key),
                                args);
            });
        if (s.ok()) journal_.RemoveBinding({queue, exchange, key, arguments});
        return s;
      },
      NotConnected("unbind queue"));
}

Status AmqpTransport::DeleteQueue(const std::string& queue) {
  if (!connected_) return NotConnected("delete queue");
  return Call<Status>(
      [&, this] {
        Status s = OnTopologyChannel(fmt::format("delete queue '{}'", queue), [&](uint16_t ch) {
          amqp_queue_delete(conn_->state(), ch, Bytes(queue), 0, 0);
        });
        if (s.ok()) journal_.RemoveQueue(queue);
        return s;
      },
      NotConnected("delete queue"));
}

Status AmqpTransport::DeleteExchange(const std::string& exchange) {
  if (!connected_) return NotConnected("delete exchange");
  return Call<Status>(
      [&, this] {
        Status s = OnTopologyChannel(
            fmt::format("delete exchange '{}'", exchange),
            [&](uint16_t ch) { amqp_exchange_delete(conn_->state(), ch, Bytes(exchange), 0); });
        if (s.ok()) journal_.RemoveExchange(exchange);
        return s;
      },
      NotConnected("delete exchange"));
}

// ---------------------------------------------------------------- publishing

uint32_t AmqpTransport::CreatePublishLane() { return next_lane_++; }

void AmqpTransport::ReleasePublishLane(uint32_t lane_id) {
  Post([this, lane_id] {
    auto it = lanes_.find(lane_id);
    if (it == lanes_.end()) return;
    uint16_t ch = it->second.channel;
    it->second.confirms.FailAll(CancelledError("publish: the publisher was destroyed"));
    lanes_.erase(it);
    if (ch != 0) CloseChannel(ch);
  });
}

void AmqpTransport::Publish(uint32_t lane, PublishRequest request, PublishDone done) {
  if (!connected_) {  // an outage: fail at once instead of queueing behind reconnect attempts
    done(NotConnected("publish"));
    return;
  }
  if (request.message.body.size() > url_.max_message_size) {
    done(ResourceExhaustedError(
        fmt::format("publish: the message body is {} bytes, more than max_message_size ({} bytes)",
                    request.message.body.size(), url_.max_message_size)));
    return;
  }
  auto shared =
      std::make_shared<std::pair<PublishRequest, PublishDone>>(std::move(request), std::move(done));
  if (OnTransportThread()) {
    DoPublish(lane, shared->first, shared->second);
    return;
  }
  if (!Post([this, lane, shared] { DoPublish(lane, shared->first, shared->second); })) {
    shared->second(NotConnected("publish"));
  }
}

void AmqpTransport::DoPublish(uint32_t lane_id, PublishRequest& request, PublishDone& done) {
  if (!conn_) {
    done(NotConnected("publish"));
    return;
  }
  Lane& lane = lanes_[lane_id];
  if (lane.channel == 0) {
    auto ch = OpenChannel({ChannelUse::Kind::kLane, lane_id});
    if (!ch.ok()) {
      done(ch.status().WithContext("publish"));
      return;
    }
    amqp_confirm_select(conn_->state(), *ch);
    Status s = CheckReply("publish: confirm.select", *ch);
    if (!s.ok()) {
      done(s);
      return;
    }
    lane.channel = *ch;
  }
  const Message& m = request.message;
  amqp_basic_properties_t props;
  EncodeProperties(m.properties, &publish_arena_, &props);
  int rc = amqp_basic_publish(conn_->state(), lane.channel, Bytes(m.exchange), Bytes(m.routing_key),
                              request.mandatory ? 1 : 0, 0, &props, Bytes(m.body));
  publish_arena_.Reset();
  if (rc != AMQP_STATUS_OK) {
    done(CheckWrite(fmt::format("publish to exchange '{}'", m.exchange), rc));
    return;
  }
  if (request.confirm) {
    lane.confirms.Add(std::move(done), m.properties.message_id);
  } else {
    lane.confirms.Add(nullptr, m.properties.message_id);
    done(OkStatus());
  }
}

// ---------------------------------------------------------------- consuming

StatusOr<uint64_t> AmqpTransport::StartConsumer(ConsumeRequest request) {
  if (!connected_) return NotConnected("consume");
  uint64_t id = next_consumer_++;
  return Call<StatusOr<uint64_t>>(
      [this, id, &request]() -> StatusOr<uint64_t> {
        if (!conn_) return NotConnected("consume");
        ConsumerState state;
        state.request = std::move(request);
        Status s = Subscribe(id, state);
        if (!s.ok()) return s;
        consumers_.emplace(id, std::move(state));
        return id;
      },
      NotConnected("consume"));
}

void AmqpTransport::Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  if (OnTransportThread()) {
    DoSettle(consumer_id, tag, settlement);
    return;
  }
  Post([this, consumer_id, tag, settlement] { DoSettle(consumer_id, tag, settlement); });
}

void AmqpTransport::DoSettle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  auto it = consumers_.find(consumer_id);
  if (it == consumers_.end() || it->second.channel == 0 || !conn_) return;
  if ((tag >> kTagGenerationShift) != (generation_ & 0xFFFF)) return;  // from a lost connection
  uint64_t amqp_tag = tag & ((uint64_t{1} << kTagGenerationShift) - 1);
  uint16_t ch = it->second.channel;
  int rc = settlement == Settlement::kAck ? amqp_basic_ack(conn_->state(), ch, amqp_tag, 0)
                                          : amqp_basic_reject(conn_->state(), ch, amqp_tag,
                                                              settlement == Settlement::kRequeue);
  CheckWrite("settle delivery", rc).IgnoreError();
}

Status AmqpTransport::CancelConsumer(uint64_t consumer_id) {
  return Call<Status>(
      [this, consumer_id] {
        auto it = consumers_.find(consumer_id);
        if (it == consumers_.end()) return OkStatus();
        ConsumerState& c = it->second;
        if (c.cancelled) return OkStatus();
        c.cancelled = true;
        if (c.gone || c.channel == 0 || !conn_) return OkStatus();
        uint16_t ch = c.channel;
        std::string op = fmt::format("cancel consumer of queue '{}'", c.request.queue);
        amqp_basic_cancel(conn_->state(), ch, Bytes(c.tag));
        return CheckReply(op, ch);
      },
      OkStatus());
}

void AmqpTransport::ReleaseConsumer(uint64_t consumer_id) {
  auto release = [this, consumer_id] {
    auto it = consumers_.find(consumer_id);
    if (it == consumers_.end()) return;
    uint16_t ch = it->second.channel;
    consumers_.erase(it);
    if (ch != 0) CloseChannel(ch);
  };
  if (OnTransportThread()) {
    release();
  } else {
    Post(release);
  }
}

}  // namespace brokrpc::internal
