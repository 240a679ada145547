#include "rpc/reflection_service.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <set>

#include "base/uuid.h"
#include "brokrpc/reflection/v1/reflection.pb.h"

namespace brokrpc::internal {
namespace {

namespace pb = google::protobuf;
using brokrpc::reflection::v1::ListServicesRequest;
using brokrpc::reflection::v1::ListServicesResponse;

// Adds `file` after its imports, each file once.
void AddFile(const pb::FileDescriptor* file, std::set<std::string>* seen,
             ListServicesResponse* out) {
  if (!seen->insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), seen, out);
  file->CopyTo(out->add_files());
}

}  // namespace

const std::string_view kReflectionRoutingKey =
    "/brokrpc.reflection.v1/ReflectionService/ListServices";

ReflectionService::ReflectionService(const ExchangeOptions& exchange,
                                     std::vector<std::string> services)
    : ReflectionSpecHolder{ServiceSpec{
          .full_name = "brokrpc.reflection.v1.ReflectionService",
          .package = "brokrpc.reflection.v1",
          .exchange = exchange,
          .methods = {MethodSpec{.name = "ListServices",
                                 .routing_key = kReflectionRoutingKey,
                                 .kind = MethodKind::kUnary,
                                 .request_type = "brokrpc.reflection.v1.ListServicesRequest",
                                 .response_type = "brokrpc.reflection.v1.ListServicesResponse",
                                 .queue = {.name = "reflection." + NewUuidHex(),
                                           .durable = false,
                                           .exclusive = true,
                                           .auto_delete = true}}}}},
      Service(reflection_spec),
      services_(std::move(services)) {
  AddUnaryHandler<ListServicesRequest, ListServicesResponse>(
      0, [this](ServerContext*, const ListServicesRequest*, ListServicesResponse* response) {
        std::set<std::string> seen;
        for (const auto& name : services_) {
          response->add_services(name);
          const pb::ServiceDescriptor* service =
              pb::DescriptorPool::generated_pool()->FindServiceByName(name);
          if (service != nullptr) AddFile(service->file(), &seen, response);
        }
        return OkStatus();
      });
}

}  // namespace brokrpc::internal
