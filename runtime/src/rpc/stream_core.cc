#include "rpc/stream_core.h"

#include <fmt/format.h>

#include "brokrpc/serializer.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "log.h"
#include "uuid.h"

namespace brokrpc::internal {
namespace {

using spec::v1::StreamRequest;
using spec::v1::StreamResponse;

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

template <typename End>
Status StatusOfEnd(const End& end) {
  StatusCode code = StatusCodeFromInt(static_cast<int>(end.code()));
  return Status(code, end.has_error() ? end.error().message() : std::string());
}

template <typename End>
void FillEnd(End* end, const Status& status) {
  end->set_code(static_cast<google::rpc::Code>(status.code()));
  if (!status.ok()) end->mutable_error()->set_message(status.message());
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
      core_(broker_->core()),
      publisher_holder_(std::move(publisher)),
      publisher_(*publisher_holder_),
      exchange_(std::move(exchange)),
      settings_(settings) {
  id_hex_ = NewUuidHex();
  id_bytes_ = FromHex(id_hex_);
  last_sent_ = SystemClock::now();
}

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
  if (ended_ && context_ != nullptr) context_->Cancel();
}

bool StreamCore::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_ && !final_status_.ok();
}

// ---------------------------------------------------------------- sending

void StreamCore::PublishLocked(const std::function<void(void*)>& fill,
                               const std::string& reply_to) {
  Message m;
  m.exchange = exchange_;
  m.routing_key = peer_address_;
  if (role_ == Role::kClient) {
    StreamRequest env;
    env.set_uuid(id_bytes_);
    env.set_index(next_out_index_++);
    fill(&env);
    m.body = env.SerializeAsString();
    m.properties.type = std::string(kStreamRequestType);
  } else {
    StreamResponse env;
    env.set_uuid(id_bytes_);
    env.set_index(next_out_index_++);
    fill(&env);
    m.body = env.SerializeAsString();
    m.properties.type = std::string(kStreamResponseType);
  }
  m.properties.content_type = std::string(kProtobufContentType);
  m.properties.correlation_id = id_hex_;
  if (!reply_to.empty()) m.properties.reply_to = reply_to;
  FillMessageDefaults(&m);
  last_sent_ = SystemClock::now();
  std::weak_ptr<StreamCore> weak = weak_from_this();
  BrokerCore* core = &core_;
  std::string peer = peer_address_;
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

void StreamCore::SendEndLocked(const Status& status) {
  if (end_sent_ || peer_address_.empty()) return;
  end_sent_ = true;
  half_closed_ = true;
  EnqueueLocked(Outgoing{.kind = Outgoing::Kind::kEnd, .status = status});
}

void StreamCore::EnqueueLocked(Outgoing outgoing) {
  outbox_.push_back(std::move(outgoing));
  last_sent_ = SystemClock::now();
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // A strong reference: what is queued goes out even when the stream's owners are gone.
  bool scheduled = core_.transport().Execute([self = shared_from_this()] { self->Flush(); });
  if (!scheduled) {
    flush_scheduled_ = false;
    outbox_.clear();
    end_sent_ = true;
    FinishLocked(UnavailableError(fmt::format("stream {}: the connection is closed", id_hex_)));
  }
}

void StreamCore::Flush() {
  constexpr size_t kMaxBatch = 256;
  constexpr size_t kMaxBatchBytes = 64 * 1024;
  std::lock_guard<std::mutex> lock(mu_);
  flush_scheduled_ = false;
  while (!outbox_.empty()) {
    Outgoing first = std::move(outbox_.front());
    outbox_.pop_front();
    switch (first.kind) {
      case Outgoing::Kind::kPart: {
        // Parts queued while the transport was busy go out as one envelope.
        std::vector<google::protobuf::Any> batch;
        size_t bytes = first.payload.ByteSizeLong();
        batch.push_back(std::move(first.payload));
        while (!outbox_.empty() && outbox_.front().kind == Outgoing::Kind::kPart &&
               batch.size() < kMaxBatch && bytes < kMaxBatchBytes) {
          bytes += outbox_.front().payload.ByteSizeLong();
          batch.push_back(std::move(outbox_.front().payload));
          outbox_.pop_front();
        }
        auto fill = [&](auto* env) {
          auto* part = env->mutable_part();
          for (auto& any : batch) *part->add_payloads() = std::move(any);
        };
        if (role_ == Role::kClient) {
          PublishLocked([&](void* e) { fill(static_cast<StreamRequest*>(e)); }, "");
        } else {
          PublishLocked([&](void* e) { fill(static_cast<StreamResponse*>(e)); }, "");
        }
        break;
      }
      case Outgoing::Kind::kEnd:
        if (role_ == Role::kClient) {
          PublishLocked(
              [&](void* e) {
                FillEnd(static_cast<StreamRequest*>(e)->mutable_end(), first.status);
              },
              "");
        } else {
          PublishLocked(
              [&](void* e) {
                FillEnd(static_cast<StreamResponse*>(e)->mutable_end(), first.status);
              },
              "");
        }
        break;
      case Outgoing::Kind::kCredit:
        if (role_ == Role::kClient) {
          PublishLocked(
              [&](void* e) {
                static_cast<StreamRequest*>(e)->mutable_credit()->set_grant(first.grant);
              },
              "");
        } else {
          PublishLocked(
              [&](void* e) {
                static_cast<StreamResponse*>(e)->mutable_credit()->set_grant(first.grant);
              },
              "");
        }
        break;
      case Outgoing::Kind::kPing:
        if (role_ == Role::kClient) {
          PublishLocked([](void* e) { static_cast<StreamRequest*>(e)->mutable_ping(); }, "");
        } else {
          PublishLocked([](void* e) { static_cast<StreamResponse*>(e)->mutable_ping(); }, "");
        }
        break;
    }
  }
}

// ---------------------------------------------------------------- opening

void StreamCore::Open(const std::string& routing_key, const std::string& reply_to,
                      const FieldTable& headers, std::vector<google::protobuf::Any> initial,
                      bool last) {
  std::unique_lock<std::mutex> lock(mu_);
  Message m;
  m.exchange = exchange_;
  m.routing_key = routing_key;
  StreamRequest env;
  env.set_uuid(id_bytes_);
  env.set_index(next_out_index_++);
  auto* start = env.mutable_start();
  for (auto& any : initial) *start->add_payloads() = std::move(any);
  start->set_last(last);
  start->set_window(settings_.window);
  m.body = env.SerializeAsString();
  m.properties.content_type = std::string(kProtobufContentType);
  m.properties.type = std::string(kStreamRequestType);
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
  if (last) half_closed_ = true;
  last_sent_ = SystemClock::now();
  std::weak_ptr<StreamCore> weak = weak_from_this();
  BrokerCore* core = &core_;
  std::string key = routing_key;
  lock.unlock();
  publisher_.PublishRaw(
      std::move(m), /*mandatory=*/true, [weak, core, key](const PublishOutcome& o) {
        if (o.ok()) return;
        Status s = o.unroutable() ? UnavailableError(fmt::format("no server is consuming {}: {}",
                                                                 key, o.status.message()))
                                  : o.status;
        core->pool().Post([weak, s] {
          if (auto self = weak.lock()) self->Fail(s);
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
  peer_address_ = *request.properties.reply_to;
  next_in_index_ = 1;
  send_credit_ = client_window;
  for (auto& any : initial) inbound_.push_back(std::move(any));
  peer_half_closed_ = last;
  PublishLocked(
      [&](void* e) {
        static_cast<StreamResponse*>(e)->mutable_start()->set_window(settings_.window);
      },
      stream_queue);
  lock.unlock();
  ArmKeepalive();
}

// ---------------------------------------------------------------- application side

void StreamCore::DeadlineLocked() {
  Status s = DeadlineExceededError(fmt::format("stream {}: deadline exceeded", id_hex_));
  SendEndLocked(s);
  FinishLocked(s);
}

bool StreamCore::WaitLocked(std::unique_lock<std::mutex>& lock,
                            const std::function<bool()>& ready) {
  if (settings_.deadline) {
    if (!cv_.wait_until(lock, ToSteady(*settings_.deadline), ready)) {
      DeadlineLocked();
      return false;
    }
    return true;
  }
  cv_.wait(lock, ready);
  return true;
}

bool StreamCore::Write(const google::protobuf::Message& message) {
  if (core_.transport().OnTransportThread()) return false;
  std::unique_lock<std::mutex> lock(mu_);
  if (!WaitLocked(lock, [&] {
        return ended_ || half_closed_ || (send_credit_ > 0 && !peer_address_.empty());
      })) {
    return false;
  }
  if (ended_ || half_closed_) return false;
  --send_credit_;
  Outgoing part{.kind = Outgoing::Kind::kPart};
  part.payload.PackFrom(message);
  EnqueueLocked(std::move(part));
  return true;
}

bool StreamCore::Read(google::protobuf::Message* message) {
  if (core_.transport().OnTransportThread()) return false;
  std::unique_lock<std::mutex> lock(mu_);
  bool waited = WaitLocked(lock, [&] {
    return !inbound_.empty() || peer_half_closed_ || (ended_ && !final_status_.ok());
  });
  google::protobuf::Any any;
  if (!waited || !TakeLocked(&any)) return false;
  lock.unlock();
  if (!any.UnpackTo(message)) {
    Cancel(InvalidArgumentError(fmt::format("stream {}: expected a {}, got {}", id_hex_,
                                            message->GetTypeName(), any.type_url())));
    return false;
  }
  return true;
}

bool StreamCore::TakeLocked(google::protobuf::Any* out) {
  if (inbound_.empty()) return false;
  *out = std::move(inbound_.front());
  inbound_.pop_front();
  if (++consumed_since_grant_ >= std::max<uint32_t>(1, settings_.window / 2) && !ended_ &&
      !peer_half_closed_ && !peer_address_.empty()) {
    EnqueueLocked(Outgoing{.kind = Outgoing::Kind::kCredit, .grant = consumed_since_grant_});
    consumed_since_grant_ = 0;
  }
  return true;
}

void StreamCore::RunPendingLocked() {
  ThreadPool& pool = core_.pool();
  bool finished_stream = ended_ && !final_status_.ok();
  if (pending_read_) {
    google::protobuf::Any any;
    if (TakeLocked(&any)) {
      pool.Post([done = std::move(pending_read_), any = std::move(any)]() mutable {
        done(std::move(any));
      });
      pending_read_ = nullptr;
    } else if (peer_half_closed_ || finished_stream) {
      pool.Post([done = std::move(pending_read_)] { done(std::nullopt); });
      pending_read_ = nullptr;
    }
  }
  while (!pending_writes_.empty()) {
    auto& [payload, done] = pending_writes_.front();
    if (ended_ || half_closed_) {
      pool.Post([done = std::move(done)] { done(false); });
    } else if (send_credit_ > 0 && !peer_address_.empty()) {
      --send_credit_;
      Outgoing part{.kind = Outgoing::Kind::kPart};
      part.payload = std::move(payload);
      EnqueueLocked(std::move(part));
      pool.Post([done = std::move(done)] { done(true); });
    } else {
      break;
    }
    pending_writes_.pop_front();
  }
  if (ended_ && !pending_finish_.empty()) {
    for (auto& done : pending_finish_) pool.Post([done, s = final_status_] { done(s); });
    pending_finish_.clear();
  }
}

void StreamCore::ReadAsync(std::function<void(std::optional<google::protobuf::Any>)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_read_) {
    core_.pool().Post([done = std::move(done)] { done(std::nullopt); });
    return;
  }
  pending_read_ = std::move(done);
  RunPendingLocked();
}

void StreamCore::WriteAsync(const google::protobuf::Message& message,
                            std::function<void(bool)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  google::protobuf::Any any;
  any.PackFrom(message);
  pending_writes_.emplace_back(std::move(any), std::move(done));
  RunPendingLocked();
}

void StreamCore::FinishAsync(std::function<void(Status)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_finish_.push_back(std::move(done));
  RunPendingLocked();
}

bool StreamCore::WritesDone() {
  if (role_ != Role::kClient) return false;
  std::unique_lock<std::mutex> lock(mu_);
  if (half_closed_ || ended_) return !ended_ || final_status_.ok();
  if (!WaitLocked(lock, [&] { return ended_ || !peer_address_.empty(); })) return false;
  if (ended_) return false;
  SendEndLocked(OkStatus());
  return true;
}

Status StreamCore::Finish() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!WaitLocked(lock, [&] { return ended_; })) return final_status_;
  return final_status_;
}

void StreamCore::Cancel(const Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_) return;
  SendEndLocked(status);
  FinishLocked(status);
}

void StreamCore::End(const Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  Status final = status;
  // Past the deadline the handler's outcome (often a read or write that failed because of it)
  // is reported as what it is.
  if (settings_.deadline && SystemClock::now() >= *settings_.deadline) {
    final = DeadlineExceededError(fmt::format("stream {}: deadline exceeded", id_hex_));
  }
  if (ended_ && !final_status_.ok()) final = final_status_;  // cancelled: say so
  SendEndLocked(final);
  FinishLocked(final);
}

void StreamCore::Fail(const Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_) return;
  end_sent_ = true;  // the peer cannot be reached
  FinishLocked(status);
}

void StreamCore::FinishLocked(const Status& status) {
  if (!ended_) {
    ended_ = true;
    final_status_ = status;
    if (context_ != nullptr && !status.ok()) context_->Cancel();
  }
  cv_.notify_all();
  RunPendingLocked();
  MaybeDoneLocked();
}

void StreamCore::MaybeDoneLocked() {
  bool done = ended_ && (end_sent_ || role_ == Role::kClient);
  if (done && !done_called_ && on_done_) {
    done_called_ = true;
    core_.pool().Post(on_done_);
  }
}

// ---------------------------------------------------------------- liveness

void StreamCore::ArmKeepalive() {
  std::weak_ptr<StreamCore> weak = weak_from_this();
  uint64_t timer = core_.timers().ScheduleAfter(settings_.keepalive, [weak] {
    if (auto self = weak.lock()) self->OnKeepalive();
  });
  std::lock_guard<std::mutex> lock(mu_);
  keepalive_timer_ = timer;
}

void StreamCore::OnKeepalive() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_ && (end_sent_ || role_ == Role::kClient)) return;
    if (settings_.deadline && SystemClock::now() >= *settings_.deadline && !ended_) {
      DeadlineLocked();
      return;
    }
    if (!peer_address_.empty() && SystemClock::now() - last_sent_ >= settings_.keepalive / 2) {
      EnqueueLocked(Outgoing{.kind = Outgoing::Kind::kPing});
    }
  }
  ArmKeepalive();
}

// ---------------------------------------------------------------- receiving

void StreamCore::OnEnvelope(const Message& message) {
  std::lock_guard<std::mutex> lock(mu_);
  auto check_index = [&](uint64_t index) {
    if (index < next_in_index_) return false;  // a duplicate
    if (index > next_in_index_) {
      Status s = DataLossError(fmt::format("stream {}: envelope {} arrived, {} was expected",
                                           id_hex_, index, next_in_index_));
      SendEndLocked(s);
      FinishLocked(s);
      return false;
    }
    ++next_in_index_;
    return true;
  };
  auto on_part = [&](const auto& part) {
    for (const auto& any : part.payloads()) inbound_.push_back(any);
    if (inbound_.size() > settings_.window) {
      Status s = ResourceExhaustedError(
          fmt::format("stream {}: the peer sent more than the window of {} messages", id_hex_,
                      settings_.window));
      SendEndLocked(s);
      FinishLocked(s);
    }
  };
  if (role_ == Role::kClient) {
    StreamResponse env;
    if (!env.ParseFromString(message.body) || !check_index(env.index())) return;
    switch (env.event_case()) {
      case StreamResponse::kStart:
        if (message.properties.reply_to) peer_address_ = *message.properties.reply_to;
        send_credit_ += env.start().window();
        if (ended_ && !end_sent_) SendEndLocked(final_status_);  // cancelled before the answer
        break;
      case StreamResponse::kPart:
        on_part(env.part());
        break;
      case StreamResponse::kEnd:
        peer_half_closed_ = true;
        end_sent_ = true;  // the server is gone from this stream; nothing more to tell it
        FinishLocked(StatusOfEnd(env.end()));
        break;
      case StreamResponse::kCredit:
        send_credit_ += env.credit().grant();
        break;
      default:
        break;
    }
  } else {
    StreamRequest env;
    if (!env.ParseFromString(message.body) || !check_index(env.index())) return;
    switch (env.event_case()) {
      case StreamRequest::kPart:
        on_part(env.part());
        break;
      case StreamRequest::kEnd: {
        Status s = StatusOfEnd(env.end());
        peer_half_closed_ = true;
        if (!s.ok()) FinishLocked(s);  // the client cancelled
        break;
      }
      case StreamRequest::kCredit:
        send_credit_ += env.credit().grant();
        break;
      default:
        break;
    }
  }
  cv_.notify_all();
  RunPendingLocked();
}

// ---------------------------------------------------------------- typed-stream entry points

bool StreamWrite(StreamCore& core, const google::protobuf::Message& message) {
  return core.Write(message);
}
bool StreamRead(StreamCore& core, google::protobuf::Message* message) { return core.Read(message); }
bool StreamWritesDone(StreamCore& core) { return core.WritesDone(); }
Status StreamFinish(StreamCore& core) { return core.Finish(); }
void StreamCancel(StreamCore& core) {
  core.Cancel(CancelledError("the stream was cancelled by the client"));
}
void StreamReadAsync(StreamCore& core,
                     std::function<void(std::optional<google::protobuf::Any>)> done) {
  core.ReadAsync(std::move(done));
}
void StreamWriteAsync(StreamCore& core, const google::protobuf::Message& message,
                      std::function<void(bool)> done) {
  core.WriteAsync(message, std::move(done));
}
void StreamFinishAsync(StreamCore& core, std::function<void(Status)> done) {
  core.FinishAsync(std::move(done));
}

}  // namespace brokrpc::internal
