// AmqpTransport: the connection (connect, reconnect, disconnect), listeners and channels.
#include "amqp/amqp_transport.h"

#include <fmt/format.h>

#include <vector>

#include "amqp/amqp_error.h"
#include "base/log.h"

namespace brokrpc::internal {
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
  if (reconnect_refused_) {
    reconnect_refused_ = false;
    std::lock_guard<std::mutex> lock(refusal_mu_);
    refusal_ = OkStatus();
  }
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
  // A refused login or vhost will not get better by itself: retrying would loop forever.
  if (s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kPermissionDenied) {
    StopOnRefusal(s);
    return;
  }
  auto wait = backoff_.Failed();  // the next host, a longer backoff with jitter
  next_attempt_ = Clock::now() + wait;
  // The first failure is worth a warning; the retries that follow are routine.
  BROKRPC_LOG(backoff_.early() ? LogLevel::kWarning : LogLevel::kDebug,
              "reconnect to {} failed ({}); next attempt in {} ms", url_.Redacted(), s.message(),
              wait.count());
}

void AmqpTransport::NotifyRestored() { listeners_.NotifyRestored(); }

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
  WakeLeader();  // a leading caller polls this connection's socket: let it see the loss
  if (graceful) {
    FlushAcks();
    conn_->Close(true);
  }
  acks_due_.clear();
  for (auto& [id, c] : consumers_) c.acks.Reset();
  conn_.reset();
  heartbeat_ = 0;
  channels_.Reset();
  contents_.Clear();
  topology_channel_ = 0;
  for (auto& [id, lane] : lanes_) {
    lane.channel = 0;
    lane.confirms.FailAll(PublishOutcome::ConnectionLost(why));
  }
  OnUnblocked();  // what waited for the broker fails now: its connection is gone
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
    listeners_.NotifyLost(why);
  }
}

void AmqpTransport::ConnectionLost(const Status& why) {
  if (!conn_) return;
  Status status(StatusCode::kUnavailable,
                fmt::format("connection to {} lost: {}", conn_->peer(), why.message()));
  BROKRPC_LOG_WARNING("{}", status.message());
  const size_t lost_host = conn_->host_index();
  DoDisconnect(false, status, true);
  if (url_.reconnect) {
    reconnect_wanted_ = true;
    next_attempt_ = Clock::now() + backoff_.Lost(lost_host, url_.hosts.size());
  }
}

Status AmqpTransport::NotConnected(const std::string& operation) const {
  if (Status refused = refusal(); !refused.ok()) {
    return Status(refused.code(), fmt::format("{}: {}", operation, refused.message()));
  }
  return UnavailableError(fmt::format("{}: not connected to {}", operation, url_.Redacted()));
}

Status AmqpTransport::refusal() const {
  std::lock_guard<std::mutex> lock(refusal_mu_);
  return refusal_;
}

void AmqpTransport::StopOnRefusal(const Status& refused) {
  reconnect_refused_ = true;
  Status why(refused.code(),
             fmt::format("the broker refused the reconnect, not retrying (Broker::Connect() tries "
                         "again): {}",
                         refused.message()));
  {
    std::lock_guard<std::mutex> lock(refusal_mu_);
    refusal_ = why;
  }
  BROKRPC_LOG_ERROR("{}", why.message());
  listeners_.NotifyLost(why);
}

uint64_t AmqpTransport::AddConnectionListener(ConnectionListener listener) {
  return listeners_.Add(std::move(listener));
}

void AmqpTransport::RemoveConnectionListener(uint64_t id) { listeners_.Remove(id); }

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
      auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
      OnChannelClosed(ch, close != nullptr ? close->reply_code : 0, s);
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

}  // namespace brokrpc::internal
