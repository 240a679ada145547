// QueueType: the RabbitMQ queue type of a server queue (the x-queue-type argument).
#ifndef BROKRPC_QUEUE_TYPE_H_
#define BROKRPC_QUEUE_TYPE_H_

#include <string_view>

#include "brokrpc/status_or.h"

namespace brokrpc {

// The queue argument that chooses a RabbitMQ queue type ("classic", "quorum", "stream").
inline constexpr std::string_view kQueueTypeArgument = "x-queue-type";

// The queue types a server queue may have. Classic: one node holds it (RabbitMQ's default).
// Quorum: replicated over the cluster (Raft), always durable, never exclusive or auto-delete.
// A plain value type: any thread.
enum class QueueType { kClassic, kQuorum };

// "classic" or "quorum".
std::string_view QueueTypeName(QueueType type);
// Parses "classic" or "quorum"; anything else is INVALID_ARGUMENT.
StatusOr<QueueType> ParseQueueType(std::string_view name);

}  // namespace brokrpc

#endif  // BROKRPC_QUEUE_TYPE_H_
