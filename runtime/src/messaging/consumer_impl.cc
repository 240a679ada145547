#include "messaging/consumer_impl.h"

#include <exception>

#include "base/log.h"

namespace brokrpc::internal {

ConsumerImpl::ConsumerImpl(BrokerCore& core, std::string queue, AsyncConsumerHandler handler)
    : core_(core), queue_(std::move(queue)), handler_(std::move(handler)) {}

ConsumerImpl::~ConsumerImpl() { Release(); }

Settle::Settle(std::shared_ptr<ConsumerImpl> consumer, uint64_t delivery_tag)
    : state_(std::make_shared<State>()) {
  state_->consumer = std::move(consumer);
  state_->delivery_tag = delivery_tag;
}

void Settle::operator()(const ConsumeResult& result) const {
  if (!state_ || state_->settled.exchange(true)) return;
  state_->consumer->Apply(state_->delivery_tag, result);
}

void Settle::ReplyAndAck(PublishRequest reply, PublishDone done) const {
  if (!state_ || state_->settled.exchange(true)) return;
  state_->consumer->ReplyAndAck(state_->delivery_tag, std::move(reply), std::move(done));
}

Status ConsumerImpl::Start(uint16_t prefetch, bool exclusive, HandlerThread where) {
  where_ = where;
  std::weak_ptr<ConsumerImpl> weak = weak_from_this();
  auto id = core_.transport().StartConsumer(ConsumeRequest{
      .queue = queue_,
      .prefetch_count = prefetch,
      .exclusive = exclusive,
      .on_delivery =
          [weak](Message&& m) {
            if (auto self = weak.lock()) self->OnDelivery(std::move(m));
          },
      .on_gone =
          [weak](Status why) {
            auto self = weak.lock();
            if (!self) return;
            self->alive_ = false;
            BROKRPC_LOG_WARNING("consumer of queue '{}' ended: {}", self->queue_, why.ToString());
          }});
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (id.ok()) consumer_id_ = *id;
    start_done_ = true;
  }
  started_.notify_all();
  if (!id.ok()) return id.status();
  alive_ = true;
  return OkStatus();
}

void ConsumerImpl::OnDelivery(Message&& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++in_flight_;
  }
  auto self = shared_from_this();
  if (where_ == HandlerThread::kInline) {
    Run(message);
    return;
  }
  auto task = [self, m = std::move(message)]() mutable { self->Run(m); };
  if (!core_.pool().Post(std::move(task))) Finished();  // pool stopped: the release requeues it
}

void ConsumerImpl::Run(Message& message) {
  if (cancelling_.load()) {  // not started before Cancel: left for ReleaseConsumer to requeue
    Finished();
    return;
  }
  uint64_t tag = message.delivery ? message.delivery->delivery_tag : 0;
  handler_(message, Settle(shared_from_this(), tag));
}

void ConsumerImpl::ReplyAndAck(uint64_t tag, PublishRequest reply, PublishDone done) {
  core_.transport().ReplyAndAck(ConsumerId(), tag, std::move(reply), std::move(done));
  Finished();
}

uint64_t ConsumerImpl::ConsumerId() {
  uint64_t id = consumer_id_.load();
  if (id != 0) return id;
  std::unique_lock<std::mutex> lock(mu_);
  started_.wait(lock, [this] { return start_done_; });
  return consumer_id_.load();
}

void ConsumerImpl::Apply(uint64_t tag, const ConsumeResult& result) {
  Transport& t = core_.transport();
  const uint64_t consumer_id = ConsumerId();
  switch (result.kind()) {
    case ConsumeResult::Kind::kAck:
      t.Settle(consumer_id, tag, Settlement::kAck);
      break;
    case ConsumeResult::Kind::kReject:
      t.Settle(consumer_id, tag, Settlement::kReject);
      break;
    case ConsumeResult::Kind::kFailed:
      BROKRPC_LOG_WARNING("queue '{}': delivery {} failed and is rejected: {}", queue_, tag,
                          result.status().ToString());
      t.Settle(consumer_id, tag, Settlement::kReject);
      break;
    case ConsumeResult::Kind::kRetry: {
      auto self = shared_from_this();
      core_.timers().ScheduleAfter(result.delay(), [self, tag] {
        self->core_.transport().Settle(self->consumer_id_.load(), tag, Settlement::kRequeue);
        self->Finished();
      });
      return;
    }
  }
  Finished();
}

void ConsumerImpl::Finished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_flight_ > 0) --in_flight_;
  if (in_flight_ == 0) drained_.notify_all();
}

size_t ConsumerImpl::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

Status ConsumerImpl::StopDeliveries() {
  if (consumer_id_ == 0 || cancelling_.exchange(true)) return OkStatus();
  return core_.transport().CancelConsumer(consumer_id_);
}

bool ConsumerImpl::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return drained_.wait_until(lock, deadline, [this] { return in_flight_ == 0; });
}

void ConsumerImpl::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (released_ || consumer_id_ == 0) return;
    released_ = true;
  }
  cancelling_ = true;
  core_.transport().ReleaseConsumer(consumer_id_);
  alive_ = false;
}

Status ConsumerImpl::Cancel(std::chrono::milliseconds drain) {
  Status stopped = StopDeliveries();
  // A handler cancelling its own consumer must not wait for itself.
  if (core_.pool().OnPoolThread()) drain = std::chrono::milliseconds(0);
  bool drained = WaitIdle(std::chrono::steady_clock::now() + drain);
  Release();
  if (!stopped.ok()) return stopped;
  if (!drained) {
    return DeadlineExceededError(
        fmt::format("cancel consumer of queue '{}': handlers still running after {} ms; their "
                    "deliveries were requeued",
                    queue_, drain.count()));
  }
  return OkStatus();
}

AsyncConsumerHandler MakeSyncHandler(MiddlewareChain<Message, ConsumeResult> chain,
                                     ConsumerHandler handler) {
  return [chain = std::move(chain), handler = std::move(handler)](Message& message, Settle settle) {
    auto terminal = [&](Message& m) -> ConsumeResult {
      if (m.delivery && m.delivery->oversized) {
        return ConsumeResult::Failed(
            ResourceExhaustedError("the message is larger than max_message_size"));
      }
      try {
        return handler(m);
      } catch (const std::exception& e) {
        return ConsumeResult::Failed(InternalError(e.what()));
      } catch (...) {
        return ConsumeResult::Failed(InternalError("handler threw a non-std exception"));
      }
    };
    ConsumeResult result = ConsumeResult::Ack();
    try {
      result = RunChain(chain, message, terminal);
    } catch (const std::exception& e) {
      result = ConsumeResult::Failed(InternalError(std::string("middleware threw: ") + e.what()));
    }
    settle(result);
  };
}

}  // namespace brokrpc::internal

namespace brokrpc {

Consumer::Consumer(std::shared_ptr<Broker> broker, std::shared_ptr<internal::ConsumerImpl> impl)
    : broker_(std::move(broker)), impl_(std::move(impl)) {}
Consumer::~Consumer() { impl_->Cancel(std::chrono::seconds(30)).IgnoreError(); }
const std::string& Consumer::queue_name() const { return impl_->queue_name(); }
bool Consumer::is_alive() const { return impl_->is_alive(); }
Status Consumer::Cancel(std::chrono::milliseconds drain) { return impl_->Cancel(drain); }

}  // namespace brokrpc
