#include "rpc/server_queue.h"

#include <fmt/format.h>

#include <array>

#include "messaging/broker_core.h"

namespace brokrpc::internal {
namespace {

// Queue arguments RabbitMQ accepts only for classic queues (quorum queues have no message
// priorities, no lazy mode, no classic-queue versions or master locators).
constexpr std::array<std::string_view, 4> kClassicOnlyArguments = {
    "x-max-priority", "x-queue-mode", "x-queue-master-locator", "x-queue-version"};

Status Refuse(const ResolvedQueue& q, std::string_view from, std::string_view what) {
  return InvalidArgumentError(
      fmt::format("queue '{}': a quorum queue (x-queue-type quorum, from {}) cannot be {}; nothing "
                  "was declared",
                  q.name, from, what));
}

}  // namespace

DefaultQueueType DefaultQueueTypeOf(const BrokerCore& core) {
  if (core.options().server_queue_type) {
    return {core.options().server_queue_type, "BrokerOptions::server_queue_type"};
  }
  if (core.url().queue_type) return {core.url().queue_type, "the broker URL's queue_type"};
  return {};
}

StatusOr<ResolvedQueue> ResolveServerQueue(const QueueOptions& defaults,
                                           const QueueOptions& method_queue,
                                           const DefaultQueueType& deployment) {
  QueueOptions merged = MergeOptions(defaults, method_queue);
  FieldTable arguments = merged.arguments.value_or(FieldTable{});
  std::string_view from = "the queue's arguments";
  QueueType type = QueueType::kClassic;
  if (const FieldValue* named = arguments.Find(kQueueTypeArgument); named != nullptr) {
    const std::string* name = arguments.FindString(kQueueTypeArgument);
    auto parsed = name != nullptr ? ParseQueueType(*name)
                                  : StatusOr<QueueType>(InvalidArgumentError("not a string"));
    if (!parsed.ok()) {
      return InvalidArgumentError(fmt::format(
          "queue '{}': x-queue-type {} is not a server queue type (server queues are classic or "
          "quorum); nothing was declared",
          merged.name.value_or(""), named->ToString()));
    }
    type = *parsed;
  } else if (deployment.type && !merged.exclusive.value_or(false)) {
    type = *deployment.type;
    from = deployment.source;
    if (type == QueueType::kQuorum) arguments.Set(std::string(kQueueTypeArgument), "quorum");
  }
  merged.arguments = std::move(arguments);
  if (type != QueueType::kQuorum) return Resolve(merged);

  const bool durable_refused = merged.durable.has_value() && !*merged.durable;
  merged.durable = true;
  ResolvedQueue q = Resolve(merged);
  if (durable_refused) return Refuse(q, from, "non-durable (durable=false)");
  if (q.exclusive) return Refuse(q, from, "exclusive (exclusive=true)");
  if (q.auto_delete) return Refuse(q, from, "auto-delete (auto_delete=true)");
  if (q.name.empty()) return Refuse(q, from, "server-named (the queue needs a name)");
  for (std::string_view arg : kClassicOnlyArguments) {
    if (q.arguments.Find(arg) != nullptr) {
      return Refuse(q, from, fmt::format("declared with the classic-only argument {}", arg));
    }
  }
  if (const std::string* overflow = q.arguments.FindString("x-overflow");
      overflow != nullptr && *overflow == "reject-publish-dlx") {
    return Refuse(q, from, "declared with x-overflow reject-publish-dlx");
  }
  return q;
}

ResolvedQueue ResolvePrivateQueue(const BrokerCore& core, std::string name) {
  ResolvedQueue q = core.ResolveQueue(
      QueueOptions{.name = std::move(name), .exclusive = true, .auto_delete = true});
  q.arguments.Erase(kQueueTypeArgument);
  return q;
}

}  // namespace brokrpc::internal
