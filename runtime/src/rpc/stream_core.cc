#include "rpc/stream_core.h"

#include <fmt/format.h>

#include "base/uuid.h"
#include "brokrpc/serializer.h"
#include "rpc/context_access.h"

namespace brokrpc::internal {
namespace {

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

void PackAny(const google::protobuf::Message& message, google::protobuf::Any* any) {
  any->PackFrom(message);
}

StreamCore::StreamCore(Role role, std::shared_ptr<Broker> broker,
                       std::shared_ptr<PublisherImpl> publisher, std::string exchange,
                       StreamSettings settings)
    : role_(role),
      broker_(std::move(broker)),
      core_(BrokerAccess::Core(*broker_)),
      publisher_holder_(std::move(publisher)),
      publisher_(*publisher_holder_),
      exchange_(std::move(exchange)),
      settings_(settings),
      codec_(StreamCodec::For(role)),
      id_hex_(NewUuidHex()),
      id_bytes_(FromHex(id_hex_)),
      state_(role, settings.window, id_hex_, *this),
      last_sent_(SystemClock::now()) {}

StreamCore::~StreamCore() {
  // No lock: nothing else holds this stream any more (the timer holds a weak reference).
  if (keepalive_timer_ != 0) core_.timers().Cancel(keepalive_timer_);
}

void StreamCore::set_on_done(std::function<void()> on_done) {
  std::lock_guard<std::mutex> lock(mu_);
  on_done_ = std::move(on_done);
  MaybeDoneLocked();
}

void StreamCore::set_context(ServerContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  context_ = context;
  if (state_.ended() && context_ != nullptr) ServerContextAccess::Cancel(*context_);
}

void StreamCore::set_watcher(std::shared_ptr<StreamWatcher> watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  watcher_ = std::move(watcher);
  if (end_reported_) ReportEndLocked();
}

void StreamCore::ReportEndLocked() {
  // Here, before the waiters wake: OnDone has run when Finish returns or FinishAsync's callback
  // runs (so the caller's context is still there). Observers never call into the stream.
  if (watcher_ && role_ == Role::kClient)
    watcher_->OnEnd(state_.final_status(), opening_unroutable_);
}

void StreamCore::FailOpening(const Status& status, bool unroutable) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.ended()) return;
  opening_unroutable_ = unroutable;
  state_.Fail(status);
  SettleLocked();
}

bool StreamCore::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_.cancelled();
}

void StreamCore::SettleLocked() {
  // RunPendingLocked can end the stream (a credit the stopped transport refuses): settle again.
  do {
    if (state_.ended() && !end_reported_) {
      end_reported_ = true;
      if (context_ != nullptr && !state_.final_status().ok())
        ServerContextAccess::Cancel(*context_);
      ReportEndLocked();
    }
    cv_.notify_all();
    RunPendingLocked();
  } while (state_.ended() && !end_reported_);
  MaybeDoneLocked();
}

void StreamCore::SettleIfEndedLocked() {
  if (state_.ended() && !end_reported_) SettleLocked();
}

void StreamCore::MaybeDoneLocked() {
  if (state_.done() && !done_called_ && on_done_) {
    done_called_ = true;
    core_.pool().Post(on_done_);
  }
}

// ---------------------------------------------------------------- sending

void StreamCore::PublishLocked(StreamEvent event, const std::string& reply_to) {
  Message m;
  m.exchange = exchange_;
  m.routing_key = state_.peer_address();
  StreamEnvelope envelope{.uuid = id_bytes_, .index = state_.NextOutIndex(), .event = {}};
  envelope.event = std::move(event);
  m.body = codec_.Encode(envelope);
  m.properties.type = std::string(codec_.sent_type());
  m.properties.content_type = std::string(kProtobufContentType);
  m.properties.correlation_id = id_hex_;
  if (!reply_to.empty()) m.properties.reply_to = reply_to;
  FillMessageDefaults(&m);
  last_sent_ = SystemClock::now();
  std::weak_ptr<StreamCore> weak = weak_from_this();
  BrokerCore* core = &core_;
  std::string peer = state_.peer_address();
  publisher_.PublishRaw(
      std::move(m), /*mandatory=*/true, [weak, core, peer](const PublishOutcome& o) {
        if (o.ok()) return;
        Status s = o.status;
        // Not under mu_: this can run synchronously inside PublishRaw.
        core->pool().Post([weak, peer, s] {
          if (auto self = weak.lock()) {
            self->Fail(UnavailableError(fmt::format("stream {}: the peer's queue '{}' is gone: {}",
                                                    self->id_hex_, peer, s.message())));
          }
        });
      });
}

bool StreamCore::Send(StreamOutgoing outgoing) {
  outbox_.push_back(std::move(outgoing));
  last_sent_ = SystemClock::now();
  if (flush_scheduled_) return true;
  flush_scheduled_ = true;
  // A strong reference: what is queued goes out even when the stream's owners are gone.
  if (core_.transport().Execute([self = shared_from_this()] { self->Flush(); })) return true;
  flush_scheduled_ = false;
  outbox_.clear();
  return false;  // state_ ends the stream: the connection is closed
}

void StreamCore::Flush() {
  constexpr size_t kMaxBatch = 256;
  constexpr size_t kMaxBatchBytes = 64 * 1024;
  std::lock_guard<std::mutex> lock(mu_);
  flush_scheduled_ = false;
  while (!outbox_.empty()) {
    StreamOutgoing first = std::move(outbox_.front());
    outbox_.pop_front();
    StreamEvent event;
    switch (first.kind) {
      case StreamOutgoing::Kind::kPart: {
        // Parts queued while the transport was busy go out as one envelope.
        event.kind = StreamEvent::Kind::kPart;
        size_t bytes = first.payload.ByteSizeLong();
        event.payloads.push_back(std::move(first.payload));
        while (!outbox_.empty() && outbox_.front().kind == StreamOutgoing::Kind::kPart &&
               event.payloads.size() < kMaxBatch && bytes < kMaxBatchBytes) {
          bytes += outbox_.front().payload.ByteSizeLong();
          event.payloads.push_back(std::move(outbox_.front().payload));
          outbox_.pop_front();
        }
        break;
      }
      case StreamOutgoing::Kind::kEnd:
        event.kind = StreamEvent::Kind::kEnd;
        event.status = std::move(first.status);
        break;
      case StreamOutgoing::Kind::kCredit:
        event.kind = StreamEvent::Kind::kCredit;
        event.grant = first.grant;
        break;
      case StreamOutgoing::Kind::kPing:
        event.kind = StreamEvent::Kind::kPing;
        break;
    }
    PublishLocked(std::move(event), "");
  }
}

// ---------------------------------------------------------------- opening

void StreamCore::Open(const std::string& routing_key, const std::string& reply_to,
                      const FieldTable& headers, std::vector<google::protobuf::Any> initial,
                      bool last) {
  std::unique_lock<std::mutex> lock(mu_);
  const size_t initial_count = initial.size();
  Message m;
  m.exchange = exchange_;
  m.routing_key = routing_key;
  StreamEnvelope envelope{.uuid = id_bytes_, .index = state_.Open(last), .event = {}};
  envelope.event.kind = StreamEvent::Kind::kStart;
  envelope.event.payloads = std::move(initial);
  envelope.event.last = last;
  envelope.event.window = settings_.window;
  m.body = codec_.Encode(envelope);
  m.properties.content_type = std::string(kProtobufContentType);
  m.properties.type = std::string(codec_.sent_type());
  m.properties.correlation_id = id_hex_;
  m.properties.reply_to = reply_to;
  m.properties.headers = headers;
  if (settings_.deadline) {
    m.set_ttl(std::chrono::duration_cast<std::chrono::milliseconds>(*settings_.deadline -
                                                                    SystemClock::now()));
    m.properties.headers.Set(std::string(kDeadlineHeader),
                             FieldValue(ToEpochMillis(*settings_.deadline)));
  }
  FillMessageDefaults(&m);
  last_sent_ = SystemClock::now();
  std::weak_ptr<StreamCore> weak = weak_from_this();
  BrokerCore* core = &core_;
  std::string key = routing_key;
  StreamWatcher* watcher = watcher_.get();
  lock.unlock();
  for (size_t i = 0; watcher != nullptr && i < initial_count; ++i) {
    watcher->OnMessage(StreamMessageDirection::kSent);
  }
  publisher_.PublishRaw(
      std::move(m), /*mandatory=*/true, [weak, core, key](const PublishOutcome& o) {
        if (o.ok()) return;
        const bool unroutable = o.unroutable();
        Status s = unroutable ? UnavailableError(fmt::format("no server is consuming {}: {}", key,
                                                             o.status.message()))
                              : o.status;
        core->pool().Post([weak, s, unroutable] {
          if (auto self = weak.lock()) self->FailOpening(s, unroutable);
        });
      });
  ArmKeepalive();
}

void StreamCore::Accept(const Message& request, const std::string& stream_queue,
                        std::string id_bytes, std::vector<google::protobuf::Any> initial, bool last,
                        uint32_t client_window) {
  std::unique_lock<std::mutex> lock(mu_);
  id_bytes_ = std::move(id_bytes);
  id_hex_ = *request.properties.correlation_id;
  state_.Accept(id_hex_, *request.properties.reply_to, client_window, std::move(initial), last);
  PublishLocked(StreamEvent{.kind = StreamEvent::Kind::kStart, .window = settings_.window},
                stream_queue);
  lock.unlock();
  ArmKeepalive();
}

}  // namespace brokrpc::internal
