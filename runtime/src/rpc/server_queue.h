// How the queues of the RPC layer are resolved: a method's server queue (classic or quorum, with
// the deployment's default type) and the connection-private reply and stream queues.
#ifndef BROKRPC_SRC_RPC_SERVER_QUEUE_H_
#define BROKRPC_SRC_RPC_SERVER_QUEUE_H_

#include <optional>
#include <string>
#include <string_view>

#include "brokrpc/options.h"
#include "brokrpc/queue_type.h"
#include "brokrpc/status_or.h"

namespace brokrpc::internal {

class BrokerCore;

// The deployment's default type of server queues and where it was set (for error messages).
struct DefaultQueueType {
  std::optional<QueueType> type{};
  std::string_view source{};
};

// BrokerOptions::server_queue_type when set, else the broker URL's queue_type.
DefaultQueueType DefaultQueueTypeOf(const BrokerCore& core);

// A method's server queue: `method_queue` laid over `defaults`, resolved. Its type is the
// x-queue-type argument when the options give one, else `deployment.type` (not for exclusive
// queues: they belong to one connection, there is nothing to replicate), else classic. A quorum
// queue is made durable; what quorum queues cannot be (non-durable, exclusive, auto-delete,
// server-named, classic-only arguments) and any type other than classic or quorum is
// INVALID_ARGUMENT naming the queue and the offending flag — before anything is declared.
// A pure function: any thread.
StatusOr<ResolvedQueue> ResolveServerQueue(const QueueOptions& defaults,
                                           const QueueOptions& method_queue,
                                           const DefaultQueueType& deployment);

// A reply or stream queue named `name`: exclusive, auto-delete, with the broker's default queue
// options except x-queue-type (these queues stay classic and die with their connection).
ResolvedQueue ResolvePrivateQueue(const BrokerCore& core, std::string name);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_SERVER_QUEUE_H_
