#include "brokrpc/queue_type.h"

#include <fmt/format.h>

namespace brokrpc {

std::string_view QueueTypeName(QueueType type) {
  return type == QueueType::kQuorum ? "quorum" : "classic";
}

StatusOr<QueueType> ParseQueueType(std::string_view name) {
  if (name == "classic") return QueueType::kClassic;
  if (name == "quorum") return QueueType::kQuorum;
  return InvalidArgumentError(
      fmt::format("unknown queue type '{}' (expected classic or quorum)", name));
}

}  // namespace brokrpc
