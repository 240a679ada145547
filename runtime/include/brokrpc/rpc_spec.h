// ServiceSpec / MethodSpec: the wire description of a service, emitted by the code generator.
#ifndef BROKRPC_RPC_SPEC_H_
#define BROKRPC_RPC_SPEC_H_

#include <string_view>
#include <vector>

#include "brokrpc/options.h"

namespace brokrpc {

// The shape of a method.
enum class MethodKind {
  kUnary,            // one request, one reply
  kFireAndForget,    // returns brokrpc.spec.v1.Void: publish, consume, no reply
  kServerStreaming,  // one request, a stream of replies
  kClientStreaming,  // a stream of requests, one reply
  kBidiStreaming,    // streams both ways
};

// One method: its wire names and its server queue.
struct MethodSpec {
  // The proto method name, e.g. "Greet".
  std::string_view name{};
  // "/" + package + "/" + service + "/" + method, e.g. "/greeting/Greeter/Greet".
  std::string_view routing_key{};
  MethodKind kind = MethodKind::kUnary;
  // Full protobuf names of the request and response messages (response empty for Void).
  std::string_view request_type{};
  std::string_view response_type{};
  // The (brokrpc.spec.v1.queue) option; an unset name means the routing key.
  QueueOptions queue{};
};

// One service: its names, its exchange option and its methods in declaration order.
struct ServiceSpec {
  // "greeting.Greeter".
  std::string_view full_name{};
  // "greeting".
  std::string_view package{};
  // The (brokrpc.spec.v1.exchange) option, laid over the broker's default exchange.
  ExchangeOptions exchange{};
  std::vector<MethodSpec> methods{};
};

}  // namespace brokrpc

#endif  // BROKRPC_RPC_SPEC_H_
