#include "messaging/publisher_impl.h"

#include <chrono>
#include <future>

#include "base/uuid.h"

namespace brokrpc::internal {

void FillMessageDefaults(Message* message) {
  if (!message->properties.message_id) message->properties.message_id = NewUuidHex();
  if (!message->properties.timestamp) {
    message->properties.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  }
}

PublisherImpl::PublisherImpl(BrokerCore& core, PublisherOptions options,
                             MiddlewareChain<Message, Status> middlewares)
    : core_(core),
      options_(
          MergeOptions(PublisherOptions{.exchange = core.options().default_exchange}, options)),
      exchange_(Resolve(options_.exchange)),
      middlewares_(std::move(middlewares)),
      lane_(core.transport().CreatePublishLane(options_.confirms.value_or(true))) {}

PublisherImpl::~PublisherImpl() { core_.transport().ReleasePublishLane(lane_); }

Status PublisherImpl::EnsureExchangeDeclared() {
  if (!options_.declare_exchange.value_or(false) || exchange_.name.empty()) return OkStatus();
  std::call_once(declare_once_, [this] { declare_status_ = core_.DeclareExchange(exchange_); });
  return declare_status_;
}

void PublisherImpl::Publish(Message message, PublishDone done) {
  Status declared = EnsureExchangeDeclared();
  if (!declared.ok()) {
    done(PublishOutcome::Refused(declared));
    return;
  }
  bool mandatory = options_.mandatory.value_or(false);
  auto terminal = [&](Message& m) -> Status {
    if (m.exchange.empty()) m.exchange = exchange_.name;
    FillMessageDefaults(&m);
    core_.transport().Publish(
        lane_, PublishRequest{.message = std::move(m), .mandatory = mandatory}, std::move(done));
    done = nullptr;
    return OkStatus();
  };
  Status s = RunChain(middlewares_, message, terminal);
  if (done) {
    done(PublishOutcome::Refused(
        s.ok() ? InternalError("publisher middleware returned OK without publishing") : s));
  }
}

void PublisherImpl::PublishRaw(Message message, bool mandatory, PublishDone done) {
  core_.transport().Publish(lane_,
                            PublishRequest{.message = std::move(message), .mandatory = mandatory},
                            std::move(done));
}

Status PublisherImpl::PublishAndWait(Message message) {
  if (core_.transport().OnTransportThread()) {
    return FailedPreconditionError(
        "Publish() would block the connection's I/O thread; use PublishAsync there");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  Publish(std::move(message),
          [promise](const internal::PublishOutcome& o) { promise->set_value(o.status); });
  return future.get();
}

}  // namespace brokrpc::internal

namespace brokrpc {

Publisher::Publisher(std::shared_ptr<Broker> broker, std::shared_ptr<internal::PublisherImpl> impl)
    : broker_(std::move(broker)), impl_(std::move(impl)) {}
Publisher::~Publisher() = default;

Status Publisher::Publish(Message message) { return impl_->PublishAndWait(std::move(message)); }

void Publisher::PublishAsync(Message message, std::function<void(Status)> on_done) {
  internal::BrokerCore* core = &impl_->core();
  impl_->Publish(std::move(message),
                 [core, on_done = std::move(on_done)](const internal::PublishOutcome& o) mutable {
                   if (!on_done) return;
                   auto task = [on_done = std::move(on_done), s = o.status]() { on_done(s); };
                   if (!core->pool().Post(task)) task();
                 });
}

std::future<Status> Publisher::PublishAsync(Message message) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  impl_->Publish(std::move(message),
                 [promise](const internal::PublishOutcome& o) { promise->set_value(o.status); });
  return future;
}

const PublisherOptions& Publisher::options() const { return impl_->options(); }

}  // namespace brokrpc
