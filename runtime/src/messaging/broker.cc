#include "brokrpc/broker.h"

#include <fmt/format.h>

#include <thread>

#include "messaging/broker_core.h"
#include "messaging/consumer_impl.h"
#include "messaging/publisher_impl.h"

namespace brokrpc {

StatusOr<std::shared_ptr<Broker>> Broker::Create(std::string_view url, BrokerOptions options) {
  auto parsed = internal::ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<internal::Transport> transport =
      parsed->scheme == internal::BrokerUrl::Scheme::kMemory
          ? internal::NewMemoryTransport(parsed->memory_name)
          : internal::NewAmqpTransport(*parsed);
  auto core = std::make_unique<internal::BrokerCore>(std::move(*parsed), std::move(options),
                                                     std::move(transport));
  return std::shared_ptr<Broker>(new Broker(std::move(core)));
}

Broker::Broker(std::unique_ptr<internal::BrokerCore> core) : core_(std::move(core)) {}

Broker::~Broker() {
  // The last reference may be dropped inside a callback on one of the broker's own threads;
  // those threads cannot join themselves, so another thread finishes the teardown.
  if (core_->transport().OnTransportThread() || core_->pool().OnPoolThread() ||
      core_->timers().OnTimerThread()) {
    std::thread([core = std::move(core_)]() mutable { core.reset(); }).detach();
    return;
  }
  core_->Shutdown();
}

Status Broker::Connect() { return core_->transport().Connect(); }

void Broker::Close() { core_->transport().Close(); }

bool Broker::is_connected() const { return core_->transport().is_connected(); }

std::optional<std::string> Broker::blocked_reason() const {
  return core_->transport().blocked_reason();
}

const BrokerOptions& Broker::options() const { return core_->options(); }

std::string Broker::redacted_url() const { return core_->url().Redacted(); }

std::chrono::seconds Broker::negotiated_heartbeat() const { return core_->transport().heartbeat(); }

StatusOr<std::unique_ptr<Publisher>> Broker::CreatePublisher(PublisherOptions options) {
  if (!is_connected()) return UnavailableError("create publisher: broker is not connected");
  auto impl = std::make_shared<internal::PublisherImpl>(*core_, std::move(options),
                                                        core_->options().publisher_middlewares);
  return std::make_unique<Publisher>(shared_from_this(), std::move(impl));
}

StatusOr<std::unique_ptr<Consumer>> Broker::Consume(BindingOptions binding, ConsumerHandler handler,
                                                    ConsumerOptions options) {
  if (!is_connected()) return UnavailableError("consume: broker is not connected");
  if (!handler) return InvalidArgumentError("consume: the handler is empty");
  ResolvedExchange exchange = core_->ResolveExchange(binding.exchange);
  if (!binding.binding_keys.empty()) {
    if (exchange.name.empty()) {
      return InvalidArgumentError(
          "consume: binding keys need a named exchange (RabbitMQ refuses to bind to the default "
          "exchange); set BindingOptions::exchange.name or BrokerOptions::default_exchange.name");
    }
    BROKRPC_RETURN_IF_ERROR(core_->DeclareExchange(exchange));
  }
  auto queue = core_->DeclareQueue(core_->ResolveQueue(binding.queue));
  if (!queue.ok()) return queue.status();
  for (const auto& key : binding.binding_keys) {
    BROKRPC_RETURN_IF_ERROR(core_->transport().BindQueue(*queue, exchange.name, key, {}));
  }
  auto chain = Concat(core_->options().consumer_middlewares, options.middlewares);
  auto impl = std::make_shared<internal::ConsumerImpl>(
      *core_, *queue, internal::MakeSyncHandler(std::move(chain), std::move(handler)));
  BROKRPC_RETURN_IF_ERROR(impl->Start(core_->PrefetchFor(binding.queue), options.exclusive));
  return std::make_unique<Consumer>(shared_from_this(), std::move(impl));
}

Status Broker::DeclareExchange(const ExchangeOptions& exchange) {
  return core_->DeclareExchange(core_->ResolveExchange(exchange));
}

StatusOr<std::string> Broker::DeclareQueue(const QueueOptions& queue) {
  return core_->DeclareQueue(core_->ResolveQueue(queue));
}

Status Broker::BindQueue(const std::string& queue, const ExchangeOptions& exchange,
                         const std::string& binding_key) {
  ResolvedExchange resolved = core_->ResolveExchange(exchange);
  return core_->transport().BindQueue(queue, resolved.name, binding_key, {});
}

Status Broker::DeleteQueue(const std::string& queue) {
  return core_->transport().DeleteQueue(queue);
}

Status Broker::DeleteExchange(const std::string& exchange) {
  return core_->transport().DeleteExchange(exchange);
}

}  // namespace brokrpc
