// ReflectionService: brokrpc.reflection.v1.ReflectionService for one exchange of a Server — the
// services served there and the file descriptors that define them (ServerOptions::reflection).
#ifndef BROKRPC_SRC_RPC_REFLECTION_SERVICE_H_
#define BROKRPC_SRC_RPC_REFLECTION_SERVICE_H_

#include <string>
#include <vector>

#include "brokrpc/service.h"

namespace brokrpc::internal {

// "/brokrpc.reflection.v1/ReflectionService/ListServices".
extern const std::string_view kReflectionRoutingKey;

// The spec of the reflection service: holds it so that it outlives the Service base.
struct ReflectionSpecHolder {
  ServiceSpec reflection_spec;
};

// Answers ListServices for the services of one exchange. Immutable after construction; its
// handler is thread-safe.
class ReflectionService : private ReflectionSpecHolder, public Service {
 public:
  // `exchange`: the exchange the services are served on (its options as the first service
  // gives them); `services`: their full names. The method's queue is exclusive, auto-delete
  // and named "reflection.<uuid hex>", so that every server on the exchange answers.
  ReflectionService(const ExchangeOptions& exchange, std::vector<std::string> services);

 private:
  std::vector<std::string> services_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_REFLECTION_SERVICE_H_
