// The preparation every client call shares (unary, fire-and-forget, stream): metadata to
// headers, the exchange to publish to, and the deadline the request carries.
#ifndef BROKRPC_SRC_RPC_CALL_PREPARATION_H_
#define BROKRPC_SRC_RPC_CALL_PREPARATION_H_

#include <chrono>
#include <optional>

#include "brokrpc/client_context.h"
#include "brokrpc/field_table.h"
#include "brokrpc/message.h"
#include "brokrpc/options.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/status_or.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// What a call sends besides its payload, decided before anything is published. A value type;
// thread-compatible.
struct PreparedCall {
  ResolvedExchange exchange;
  // The caller's metadata (no key carries the reserved x-brokrpc- prefix).
  FieldTable headers;
  // The call's deadline: the caller's, else `now + default_timeout` when one was given.
  std::optional<SystemClock::time_point> deadline;
  // The W3C trace context sent (also in `headers`): a child of the caller's, else a new trace;
  // none when the caller's metadata carries its own traceparent.
  std::optional<TraceContext> trace;
};

// Checks and gathers what `context` asks of a call of `service`: refuses metadata keys with
// the reserved x-brokrpc- prefix (INVALID_ARGUMENT) and an `exchange` (resolved by the caller
// from service.exchange) without a name (FAILED_PRECONDITION). `default_timeout`: applied when
// the caller set no deadline (calls that wait for a reply); fire-and-forget passes none, so its
// message carries an expiration only when the caller set a deadline. Pure; thread-safe.
StatusOr<PreparedCall> PrepareCall(const ServiceSpec& service, const ClientContext& context,
                                   ResolvedExchange exchange,
                                   std::optional<std::chrono::milliseconds> default_timeout);

// Addresses `request` to `method` on the prepared exchange, adds the metadata headers and, with
// a deadline, its expiration (the time left) and the x-brokrpc-deadline header.
void ApplyPreparedCall(const PreparedCall& prepared, const MethodSpec& method, Message* request);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CALL_PREPARATION_H_
