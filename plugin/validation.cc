#include "validation.h"

#include <map>

#include "brokrpc/spec/v1/amqp.pb.h"
#include "naming.h"

namespace brokrpc::plugin {
namespace {

// Python BrokRPC clients reply to "response.<routing key>.<32 hex>".
constexpr size_t kPythonReplyQueueOverhead = 9 + 1 + 32;

bool Fail(const google::protobuf::FileDescriptor* file, const std::string& element,
          const std::string& what, std::string* error) {
  (void)file;  // protoc puts "<file>: " in front of a plugin's error
  *error = element + ": " + what;
  return false;
}

bool CheckLength(const google::protobuf::FileDescriptor* file, const std::string& element,
                 const std::string& kind, const std::string& value, std::string* error) {
  if (value.size() <= kMaxShortString) return true;
  return Fail(file, element,
              kind + " '" + value + "' is " + std::to_string(value.size()) +
                  " bytes; AMQP short strings hold at most 255",
              error);
}

bool ValidateMethod(const google::protobuf::MethodDescriptor* method, std::string* error) {
  const google::protobuf::FileDescriptor* file = method->file();
  std::string element = "method " + method->service()->name() + "." + method->name();
  if (IsVoid(method->input_type())) {
    return Fail(file, element,
                "brokrpc.spec.v1.Void cannot be a request type (it marks fire-and-forget "
                "methods as their response type)",
                error);
  }
  if ((method->client_streaming() || method->server_streaming()) && IsFireAndForget(method)) {
    return Fail(file, element,
                "a fire-and-forget method (returns brokrpc.spec.v1.Void) cannot stream", error);
  }
  std::string key = RoutingKey(method);
  if (!CheckLength(file, element, "routing key", key, error)) return false;
  if (!CheckLength(file, element, "queue name", QueueName(method), error)) return false;
  bool streams = method->client_streaming() || method->server_streaming();
  if (!IsFireAndForget(method) && !streams &&
      key.size() + kPythonReplyQueueOverhead > kMaxShortString) {
    return Fail(file, element,
                "a Python BrokRPC client would reply to 'response." + key + ".<32 hex>', " +
                    std::to_string(key.size() + kPythonReplyQueueOverhead) +
                    " bytes, more than AMQP's 255; shorten the package, service or method name",
                error);
  }
  return true;
}

}  // namespace

bool ValidateFile(const google::protobuf::FileDescriptor* file, std::string* error) {
  std::map<std::string, std::string> service_names;  // C++ name -> proto name
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    std::string element = "service " + service->name();
    if (file->package().empty()) {
      return Fail(file, element,
                  "a package is required (BrokRPC routing keys are /package/Service/Method)",
                  error);
    }
    std::string cpp = CppServiceName(service->name());
    if (auto [it, inserted] = service_names.emplace(cpp, service->name()); !inserted) {
      return Fail(file, element, "its C++ name '" + cpp + "' is also that of service " + it->second,
                  error);
    }
    if (service->options().HasExtension(brokrpc::spec::v1::exchange)) {
      const auto& ex = service->options().GetExtension(brokrpc::spec::v1::exchange);
      if (ex.has_name() && !CheckLength(file, element, "exchange name", ex.name(), error)) {
        return false;
      }
    }
    std::map<std::string, std::string> method_names;  // C++ name -> proto name
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor* method = service->method(m);
      if (!ValidateMethod(method, error)) return false;
      std::string method_cpp = CppMethodName(method->name());
      if (auto [it, inserted] = method_names.emplace(method_cpp, method->name()); !inserted) {
        return Fail(file, "method " + service->name() + "." + method->name(),
                    "its C++ name '" + method_cpp + "' is also that of method " + service->name() +
                        "." + it->second,
                    error);
      }
    }
  }
  return true;
}

std::string Warnings(const google::protobuf::FileDescriptor* file) {
  std::string out;
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    if (!service->options().HasExtension(brokrpc::spec::v1::exchange)) continue;
    auto type = service->options().GetExtension(brokrpc::spec::v1::exchange).type();
    if (type != brokrpc::spec::v1::EXCHANGE_TYPE_FANOUT &&
        type != brokrpc::spec::v1::EXCHANGE_TYPE_HEADER) {
      continue;
    }
    bool replies = false;
    for (int m = 0; m < service->method_count(); ++m) {
      replies |= !IsFireAndForget(service->method(m));
    }
    if (!replies) continue;
    out += "warning: " + file->name() + ": service " + service->name() +
           ": a fanout or headers exchange ignores routing keys, so requests and replies reach "
           "every queue bound to it; use a direct or topic exchange for replying methods\n";
  }
  return out;
}

}  // namespace brokrpc::plugin
