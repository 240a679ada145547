// ResolvedService: a service of a schema as the runtime calls it — the ServiceSpec the plugin
// would generate for it (routing keys, call kinds, exchange and queue options).
#ifndef BROKRPC_CLI_SERVICE_SPEC_H_
#define BROKRPC_CLI_SERVICE_SPEC_H_

#include <google/protobuf/descriptor.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "brokrpc/rpc_spec.h"

namespace brokrpc::cli {

// "/" + package + "/" + Service + "/" + Method.
std::string RoutingKeyOf(const google::protobuf::MethodDescriptor* method);
// Fire-and-forget when the method returns brokrpc.spec.v1.Void, else by its stream flags.
MethodKind KindOf(const google::protobuf::MethodDescriptor* method);
// "unary", "fire-and-forget", "server-streaming", "client-streaming", "bidi-streaming".
std::string KindName(MethodKind kind);
// The (brokrpc.spec.v1.exchange) option (empty when absent).
ExchangeOptions ExchangeOf(const google::protobuf::ServiceDescriptor* service);
// The (brokrpc.spec.v1.queue) option's fields; its name, else the routing key.
QueueOptions QueueOf(const google::protobuf::MethodDescriptor* method);

// The ServiceSpec of one service, owning the strings it points to. Immutable once built;
// thread-safe to read.
class ResolvedService {
 public:
  // `exchange_override` replaces the exchange name the options give (other fields stay).
  ResolvedService(const google::protobuf::ServiceDescriptor* service,
                  const std::optional<std::string>& exchange_override);
  ResolvedService(const ResolvedService&) = delete;
  ResolvedService& operator=(const ResolvedService&) = delete;

  const google::protobuf::ServiceDescriptor* descriptor() const { return descriptor_; }
  const ServiceSpec& spec() const { return spec_; }
  // The method's index in spec().methods (the declaration order), or -1.
  int MethodIndex(const std::string& name) const;

 private:
  std::string_view Keep(std::string s);

  const google::protobuf::ServiceDescriptor* descriptor_;
  std::deque<std::string> strings_;
  ServiceSpec spec_;
};

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_SERVICE_SPEC_H_
