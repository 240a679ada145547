#include "messaging/broker_core.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace brokrpc::internal {
namespace {
size_t PoolSize(size_t requested) {
  if (requested > 0) return requested;
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}
}  // namespace

BrokerCore::BrokerCore(BrokerUrl url, BrokerOptions options, std::unique_ptr<Transport> transport)
    : url_(std::move(url)),
      options_(std::move(options)),
      transport_(std::move(transport)),
      pool_(PoolSize(options_.handler_threads)) {}

BrokerCore::~BrokerCore() {
  Shutdown();
  // The transport's thread may still run callbacks that post to the pool or arm timers: join it
  // while both still exist (members are destroyed after this body, the transport last).
  transport_.reset();
}

void BrokerCore::Shutdown() {
  transport_->Close();
  timers_.Shutdown();
  if (!pool_.OnPoolThread()) pool_.Shutdown();
}

ResolvedExchange BrokerCore::ResolveExchange(const ExchangeOptions& over) const {
  return Resolve(MergeOptions(options_.default_exchange, over));
}

ResolvedQueue BrokerCore::ResolveQueue(const QueueOptions& over) const {
  return Resolve(MergeOptions(options_.default_queue, over));
}

uint16_t BrokerCore::PrefetchFor(const QueueOptions& over) const {
  return MergeOptions(options_.default_queue, over).prefetch_count.value_or(kDefaultPrefetchCount);
}

Status BrokerCore::DeclareExchange(const ResolvedExchange& exchange) {
  if (exchange.name.empty()) {
    return PermissionDeniedError(
        "declare exchange '': RabbitMQ refuses to declare or bind the default exchange (403); "
        "name an exchange in the options or in BrokerOptions::default_exchange");
  }
  Status s = transport_->DeclareExchange(exchange);
  if (s.ok()) return s;
  return Status(s.code(),
                fmt::format("{} (we asked for {})", s.message(), DescribeFlags(exchange)));
}

StatusOr<std::string> BrokerCore::DeclareQueue(const ResolvedQueue& queue) {
  auto name = transport_->DeclareQueue(queue);
  if (name.ok()) return name;
  return Status(name.status().code(),
                fmt::format("{} (we asked for {})", name.status().message(), DescribeFlags(queue)));
}

}  // namespace brokrpc::internal
