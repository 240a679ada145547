#include "method_lookup.h"

#include <fmt/format.h>

namespace brokrpc::cli {

namespace pb = google::protobuf;

std::string ServiceNames(Schema& schema) {
  std::string out;
  for (const auto* s : schema.Services()) out += (out.empty() ? "" : ", ") + s->full_name();
  return out.empty() ? "none" : out;
}

StatusOr<const pb::MethodDescriptor*> FindMethod(Schema& schema, const std::string& name) {
  size_t cut = name.rfind('/');
  if (cut == std::string::npos) cut = name.rfind('.');
  if (cut == std::string::npos || cut == 0 || cut + 1 == name.size()) {
    return InvalidArgumentError(
        fmt::format("'{}' is not a method name (expected pkg.Service/Method)", name));
  }
  std::string service_name = name.substr(0, cut);
  std::string method_name = name.substr(cut + 1);
  const pb::ServiceDescriptor* service = schema.FindService(service_name);
  if (service == nullptr) {
    return NotFoundError(
        fmt::format("unknown service '{}'; services: {}", service_name, ServiceNames(schema)));
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(method_name);
  if (method == nullptr) {
    std::string methods;
    for (int i = 0; i < service->method_count(); ++i) {
      methods +=
          (methods.empty() ? "" : ", ") + service->full_name() + "/" + service->method(i)->name();
    }
    return NotFoundError(fmt::format("unknown method '{}' in service {}; methods: {}", method_name,
                                     service->full_name(), methods.empty() ? "none" : methods));
  }
  return method;
}

}  // namespace brokrpc::cli
