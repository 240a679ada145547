#include "rpc/reply_router.h"

#include <fmt/format.h>

#include <vector>

#include "base/log.h"
#include "base/uuid.h"
#include "rpc/context_access.h"
#include "rpc/server_queue.h"

namespace brokrpc::internal {
ReplyRouter::ReplyRouter(std::shared_ptr<Broker> broker)
    : broker_(std::move(broker)),
      core_(BrokerAccess::Core(*broker_)),
      // Settled: up again, or refused (the transport stopped retrying: nothing to wait for).
      waiters_(std::make_shared<ConnectionWaiters>(core_, [broker = broker_] {
        return broker->is_connected() || !BrokerAccess::Core(*broker).transport().refusal().ok();
      })) {}

ReplyRouter::~ReplyRouter() {
  if (listener_id_ != 0) core_.transport().RemoveConnectionListener(listener_id_);
  std::unordered_map<std::string, std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    streams.swap(streams_);
  }
  for (auto& [id, stream] : streams) stream->Cancel(CancelledError("the channel was destroyed"));
  if (queue_ != nullptr) core_.transport().ReleaseConsumer(queue_->consumer);
  std::unordered_map<std::string, Pending> calls;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    calls.swap(calls_);
  }
  for (auto& [id, p] : calls) {
    if (p.timer) core_.timers().Cancel(p.timer);
    if (p.context) ClientContextAccess::SetCancelHook(*p.context, nullptr);
    p.done(CancelledError("the channel was destroyed"), nullptr, false);
  }
}

// ---------------------------------------------------------------- the queue

std::shared_ptr<const ReplyRouter::ReplyQueue> ReplyRouter::current() const {
  std::lock_guard<std::mutex> lock(queue_mu_);
  return queue_;
}

void ReplyRouter::Publish(std::shared_ptr<const ReplyQueue> queue) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  queue_ = std::move(queue);
}

StatusOr<std::shared_ptr<const ReplyRouter::ReplyQueue>> ReplyRouter::Ensure() {
  if (auto q = current(); q != nullptr && q->usable) return q;
  std::lock_guard<std::mutex> lock(setup_mu_);
  auto old = current();
  if (old != nullptr && old->usable) return old;
  if (!broker_->is_connected()) {
    Status connected = broker_->Connect();
    if (!connected.ok()) return connected;
  }
  std::weak_ptr<ReplyRouter> weak = weak_from_this();
  if (listener_id_ == 0) {
    listener_id_ = core_.transport().AddConnectionListener(
        ConnectionListener{.on_lost =
                               [weak](const Status& why) {
                                 if (auto self = weak.lock()) {
                                   self->FailPending(why);
                                   // Waiters for the connection see a refusal (refusal()).
                                   self->waiters_->Wake();
                                 }
                               },
                           .on_restored =
                               [weak] {
                                 if (auto self = weak.lock()) self->waiters_->Wake();
                               }});
  }
  if (old != nullptr) {
    // Keep no snapshot that names a released consumer (until the new queue is up, calls see
    // no reply queue, as before the first call).
    core_.transport().ReleaseConsumer(old->consumer);
    Publish(nullptr);
  }
  std::string name = std::string(kReplyQueuePrefix) + NewUuidHex();
  auto declared = core_.DeclareQueue(ResolvePrivateQueue(core_, name));
  if (!declared.ok()) return declared.status().WithContext("declare the reply queue");
  // The queue is consumed without acks: it is exclusive and auto-delete, so what it holds dies
  // with the connection, and the calls waiting for it are failed then.
  auto consumer =
      core_.transport().StartConsumer(ConsumeRequest{.queue = *declared,
                                                     .prefetch_count = 0,
                                                     .exclusive = true,
                                                     .no_ack = true,
                                                     .on_delivery =
                                                         [weak](Message&& m) {
                                                           if (auto self = weak.lock())
                                                             self->OnReply(std::move(m));
                                                         },
                                                     .on_gone =
                                                         [weak, queue = *declared](Status why) {
                                                           if (auto self = weak.lock())
                                                             self->OnQueueLost(queue, why);
                                                         }});
  if (!consumer.ok()) return consumer.status().WithContext("consume the reply queue");
  auto fresh =
      std::make_shared<const ReplyQueue>(ReplyQueue{.name = *declared, .consumer = *consumer});
  bound_for_ = fresh->name;
  bound_.clear();
  Publish(fresh);
  return fresh;
}

Status ReplyRouter::Bind(const ReplyQueue& queue, const std::string& exchange) {
  std::lock_guard<std::mutex> lock(setup_mu_);
  if (bound_for_ != queue.name) {
    bound_for_ = queue.name;
    bound_.clear();
  }
  if (bound_.count(exchange) != 0) return OkStatus();
  BROKRPC_RETURN_IF_ERROR(core_.transport().BindQueue(queue.name, exchange, queue.name, {}));
  bound_.insert(exchange);
  return OkStatus();
}

void ReplyRouter::OnQueueLost(const std::string& queue_name, const Status& why) {
  {
    // The next call declares a new reply queue (and binds it again).
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (queue_ != nullptr && queue_->name == queue_name && queue_->usable) {
      auto lost = std::make_shared<ReplyQueue>(*queue_);
      lost->usable = false;
      queue_ = std::move(lost);
    }
  }
  FailPending(why.WithContext("the reply queue is gone"));
}

bool ReplyRouter::WaitUntilConnected(SystemClock::time_point deadline) {
  return waiters_->Wait(deadline);
}

uint64_t ReplyRouter::ReserveWaiter() { return waiters_->Reserve(); }

void ReplyRouter::WhenConnected(uint64_t id, SystemClock::time_point deadline,
                                std::function<void(bool)> then) {
  waiters_->Then(id, deadline, std::move(then));
}

void ReplyRouter::CancelWaiting(uint64_t id) { waiters_->Cancel(id); }

// ---------------------------------------------------------------- the correlation map

void ReplyRouter::AddCall(const std::string& id, ClientContext* context,
                          SystemClock::time_point deadline, Completion done) {
  std::weak_ptr<ReplyRouter> weak = weak_from_this();
  std::lock_guard<std::mutex> lock(calls_mu_);
  Pending& p = calls_[id];
  p.done = std::move(done);
  p.context = context;
  // Armed under the lock: a settlement finds the timer id and cancels it.
  p.timer = core_.timers().ScheduleAt(ToSteady(deadline), [weak, id] {
    if (auto self = weak.lock()) {
      self->Finish(id, DeadlineExceededError("deadline exceeded waiting for the reply"), nullptr);
    }
  });
}

bool ReplyRouter::Finish(const std::string& id, Status status, Message* reply, bool unroutable) {
  Pending p;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    auto it = calls_.find(id);
    if (it == calls_.end()) return false;
    p = std::move(it->second);
    calls_.erase(it);
  }
  if (p.timer) core_.timers().Cancel(p.timer);
  if (p.context) {
    ClientContextAccess::SetCancelHook(*p.context, nullptr);
    if (reply != nullptr) {
      auto* md = &ClientContextAccess::ResponseMetadata(*p.context);
      for (const auto& [key, value] : reply->properties.headers) {
        if (key.rfind(kReservedHeaderPrefix, 0) == 0) continue;
        if (const std::string* sv = value.get_if<std::string>()) (*md)[key] = *sv;
      }
    }
  }
  p.done(std::move(status), reply, unroutable);
  return true;
}

void ReplyRouter::AddStream(const std::shared_ptr<StreamCore>& stream) {
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    streams_[stream->id_hex()] = stream;
  }
  std::weak_ptr<ReplyRouter> weak = weak_from_this();
  stream->set_on_done([weak, id = stream->id_hex()] {
    if (auto self = weak.lock()) {
      std::lock_guard<std::mutex> lock(self->calls_mu_);
      self->streams_.erase(id);
    }
  });
}

void ReplyRouter::FailPending(const Status& why) {
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    for (auto& [id, p] : calls_) ids.push_back(id);
    for (auto& [id, stream] : streams_) streams.push_back(stream);
  }
  for (auto& stream : streams) {
    stream->Fail(UnavailableError(fmt::format("stream failed: {}", why.message())));
  }
  for (const auto& id : ids) {
    Finish(id, UnavailableError(fmt::format("call failed: {}", why.message())), nullptr);
  }
}

void ReplyRouter::OnReply(Message&& reply) {
  if (!reply.properties.correlation_id) {
    ++dropped_replies_;
    return;
  }
  const std::string& id = *reply.properties.correlation_id;
  if (reply.properties.type && *reply.properties.type == kStreamResponseType) {
    std::shared_ptr<StreamCore> stream;
    {
      std::lock_guard<std::mutex> lock(calls_mu_);
      auto it = streams_.find(id);
      if (it != streams_.end()) stream = it->second;
    }
    if (stream) {
      stream->OnEnvelope(reply);
    } else {
      ++dropped_replies_;
    }
    return;
  }
  Status error;
  bool finished = DecodeErrorReply(reply, &error) ? Finish(id, std::move(error), &reply)
                                                  : Finish(id, OkStatus(), &reply);
  if (!finished) {
    ++dropped_replies_;
    BROKRPC_LOG_DEBUG("dropped a reply for correlation id '{}' (late or unknown)", id);
  }
}

}  // namespace brokrpc::internal
