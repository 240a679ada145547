#include "rpc/call_preparation.h"

#include <fmt/format.h>

namespace brokrpc::internal {

StatusOr<PreparedCall> PrepareCall(const ServiceSpec& service, const ClientContext& context,
                                   ResolvedExchange exchange,
                                   std::optional<std::chrono::milliseconds> default_timeout) {
  PreparedCall prepared;
  for (const auto& [key, value] : context.metadata()) {
    if (key.rfind(kReservedHeaderPrefix, 0) == 0) {
      return InvalidArgumentError(
          fmt::format("metadata key '{}' is reserved (prefix x-brokrpc-)", key));
    }
    prepared.headers.Set(key, value);
  }
  if (exchange.name.empty()) {
    return FailedPreconditionError(
        fmt::format("service {}: no exchange name (RabbitMQ refuses the default exchange); set the "
                    "(brokrpc.spec.v1.exchange) option or BrokerOptions::default_exchange.name",
                    service.full_name));
  }
  if (context.metadata().count(std::string(kTraceparentHeader)) == 0) {
    prepared.trace =
        context.trace_context() ? context.trace_context()->NewChild() : TraceContext::NewRoot();
    prepared.headers.Set(std::string(kTraceparentHeader), prepared.trace->ToTraceparent());
    if (!prepared.trace->tracestate().empty()) {
      prepared.headers.Set(std::string(kTracestateHeader), prepared.trace->tracestate());
    }
  }
  prepared.exchange = std::move(exchange);
  prepared.deadline = context.deadline();
  if (!prepared.deadline && default_timeout) {
    prepared.deadline = SystemClock::now() + *default_timeout;
  }
  return prepared;
}

void ApplyPreparedCall(const PreparedCall& prepared, const MethodSpec& method, Message* request) {
  for (const auto& [key, value] : prepared.headers) request->properties.headers.Set(key, value);
  request->exchange = prepared.exchange.name;
  request->routing_key = std::string(method.routing_key);
  if (prepared.deadline) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(*prepared.deadline -
                                                                           SystemClock::now());
    request->set_ttl(remaining);
    request->properties.headers.Set(std::string(kDeadlineHeader),
                                    FieldValue(ToEpochMillis(*prepared.deadline)));
  }
}

}  // namespace brokrpc::internal
