// StreamCore, the application side (blocking and asynchronous reads, writes and ending), the
// inbound envelopes and the keepalive timer; opening and sending are in stream_core.cc.
#include <fmt/format.h>

#include "rpc/stream_core.h"

namespace brokrpc::internal {

// ---------------------------------------------------------------- application side

bool StreamCore::DeadlinePassed() const {
  return settings_.deadline && SystemClock::now() >= *settings_.deadline;
}

bool StreamCore::WaitLocked(std::unique_lock<std::mutex>& lock,
                            const std::function<bool()>& ready) {
  if (settings_.deadline) {
    if (!cv_.wait_until(lock, ToSteady(*settings_.deadline), ready)) {
      state_.Deadline();
      SettleLocked();
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
  if (!WaitLocked(lock, [&] { return state_.WriteReady(); })) return false;
  google::protobuf::Any payload;
  payload.PackFrom(message);
  bool sent = state_.Write(std::move(payload)) == StreamState::WriteResult::kSent;
  SettleIfEndedLocked();  // the transport may have stopped
  StreamWatcher* watcher = sent ? watcher_.get() : nullptr;
  lock.unlock();
  if (watcher != nullptr) watcher->OnMessage(StreamMessageDirection::kSent);
  return sent;
}

bool StreamCore::Read(google::protobuf::Message* message) {
  if (core_.transport().OnTransportThread()) return false;
  std::unique_lock<std::mutex> lock(mu_);
  if (!WaitLocked(lock, [&] { return state_.ReadReady(); })) return false;
  std::optional<google::protobuf::Any> any = state_.Take();
  if (!any) return false;
  SettleIfEndedLocked();  // the transport may have refused a credit
  StreamWatcher* watcher = watcher_.get();
  lock.unlock();
  if (!any->UnpackTo(message)) {
    Cancel(InvalidArgumentError(fmt::format("stream {}: expected a {}, got {}", id_hex_,
                                            message->GetTypeName(), any->type_url())));
    return false;
  }
  if (watcher != nullptr) watcher->OnMessage(StreamMessageDirection::kReceived);
  return true;
}

void StreamCore::RunPendingLocked() {
  ThreadPool& pool = core_.pool();
  if (pending_read_) {
    if (std::optional<google::protobuf::Any> any = state_.Take()) {
      pool.Post([done = std::move(pending_read_), any = std::move(*any), w = watcher_]() mutable {
        if (w) w->OnMessage(StreamMessageDirection::kReceived);
        done(std::move(any));
      });
      pending_read_ = nullptr;
    } else if (state_.ReadEnded()) {
      pool.Post([done = std::move(pending_read_)] { done(std::nullopt); });
      pending_read_ = nullptr;
    }
  }
  while (!pending_writes_.empty()) {
    if (!state_.WriteReady()) break;
    auto [payload, done] = std::move(pending_writes_.front());
    pending_writes_.pop_front();
    bool sent = state_.Write(std::move(payload)) == StreamState::WriteResult::kSent;
    pool.Post([done = std::move(done), sent, w = watcher_] {
      if (sent && w) w->OnMessage(StreamMessageDirection::kSent);
      done(sent);
    });
  }
  if (state_.ended() && !pending_finish_.empty()) {
    for (auto& done : pending_finish_) {
      pool.Post([done, s = state_.final_status()] { done(s); });
    }
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
  SettleLocked();
}

void StreamCore::WriteAsync(const google::protobuf::Message& message,
                            std::function<void(bool)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  google::protobuf::Any any;
  any.PackFrom(message);
  pending_writes_.emplace_back(std::move(any), std::move(done));
  SettleLocked();
}

void StreamCore::FinishAsync(std::function<void(Status)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_finish_.push_back(std::move(done));
  SettleLocked();
}

bool StreamCore::WritesDone() {
  if (role_ != Role::kClient) return false;
  std::unique_lock<std::mutex> lock(mu_);
  if (state_.half_closed() || state_.ended()) {
    return !state_.ended() || state_.final_status().ok();
  }
  if (!WaitLocked(lock, [&] { return state_.ended() || state_.peer_known(); })) return false;
  bool sent = state_.HalfClose();
  SettleIfEndedLocked();  // the transport may have stopped
  return sent;
}

Status StreamCore::Finish() {
  std::unique_lock<std::mutex> lock(mu_);
  WaitLocked(lock, [&] { return state_.ended(); });
  return state_.final_status();
}

void StreamCore::Cancel(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.ended()) return;
  state_.Cancel(status);
  SettleLocked();
}

void StreamCore::End(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  state_.End(status, DeadlinePassed());
  SettleLocked();
}

void StreamCore::Fail(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.ended()) return;
  state_.Fail(status);
  SettleLocked();
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
    std::lock_guard<std::mutex> lock(mu_);
    bool idle = SystemClock::now() - last_sent_ >= settings_.keepalive / 2;
    StreamState::Tick tick = state_.OnKeepalive(DeadlinePassed(), idle);
    SettleIfEndedLocked();
    if (tick == StreamState::Tick::kStop) return;
  }
  ArmKeepalive();
}

// ---------------------------------------------------------------- receiving

void StreamCore::OnEnvelope(const Message& message) {
  std::lock_guard<std::mutex> lock(mu_);
  StreamEnvelope envelope;
  if (!codec_.Decode(message.body, &envelope)) return;
  if (!state_.OnEnvelope(envelope.index, std::move(envelope.event), message.properties.reply_to)) {
    return;  // a duplicate
  }
  SettleLocked();
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
