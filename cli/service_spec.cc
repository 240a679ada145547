#include "service_spec.h"

#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <vector>

#include "brokrpc/spec/v1/amqp.pb.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;
namespace spec = brokrpc::spec::v1;

namespace {

FieldValue ArgumentOf(const spec::ArgumentValue& value);

FieldTable TableOf(const pb::Map<std::string, spec::ArgumentValue>& map) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : map) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  FieldTable table;
  for (const auto& k : keys) table.Set(k, ArgumentOf(map.at(k)));
  return table;
}

FieldValue ArgumentOf(const spec::ArgumentValue& value) {
  switch (value.value_case()) {
    case spec::ArgumentValue::kBoolValue:
      return FieldValue(value.bool_value());
    case spec::ArgumentValue::kIntValue:
      return FieldValue(static_cast<int64_t>(value.int_value()));
    case spec::ArgumentValue::kFloatValue:
      return FieldValue(static_cast<double>(value.float_value()));
    case spec::ArgumentValue::kStrValue:
      return FieldValue(value.str_value());
    case spec::ArgumentValue::kListValue: {
      FieldArray items;
      for (const auto& item : value.list_value().items()) items.push_back(ArgumentOf(item));
      return FieldValue(std::move(items));
    }
    case spec::ArgumentValue::kMapValue:
      return FieldValue(TableOf(value.map_value().items()));
    default:
      return FieldValue();
  }
}

std::optional<ExchangeType> TypeOf(spec::ExchangeType type) {
  switch (type) {
    case spec::EXCHANGE_TYPE_DIRECT:
      return ExchangeType::kDirect;
    case spec::EXCHANGE_TYPE_FANOUT:
      return ExchangeType::kFanout;
    case spec::EXCHANGE_TYPE_TOPIC:
      return ExchangeType::kTopic;
    case spec::EXCHANGE_TYPE_HEADER:
      return ExchangeType::kHeaders;
    default:
      return std::nullopt;
  }
}

// The options re-read through the compiled-in option types, so that the brokrpc extensions
// are known whichever pool the descriptor came from.
template <typename Options, typename Descriptor>
Options CompiledOptions(const Descriptor* d) {
  Options options;
  options.ParseFromString(d->options().SerializeAsString());
  return options;
}

}  // namespace

std::string RoutingKeyOf(const pb::MethodDescriptor* method) {
  const pb::ServiceDescriptor* service = method->service();
  return "/" + service->file()->package() + "/" + service->name() + "/" + method->name();
}

MethodKind KindOf(const pb::MethodDescriptor* method) {
  if (method->output_type()->full_name() == "brokrpc.spec.v1.Void") {
    return MethodKind::kFireAndForget;
  }
  if (method->client_streaming() && method->server_streaming()) return MethodKind::kBidiStreaming;
  if (method->client_streaming()) return MethodKind::kClientStreaming;
  if (method->server_streaming()) return MethodKind::kServerStreaming;
  return MethodKind::kUnary;
}

std::string KindName(MethodKind kind) {
  switch (kind) {
    case MethodKind::kUnary:
      return "unary";
    case MethodKind::kFireAndForget:
      return "fire-and-forget";
    case MethodKind::kServerStreaming:
      return "server-streaming";
    case MethodKind::kClientStreaming:
      return "client-streaming";
    case MethodKind::kBidiStreaming:
      return "bidi-streaming";
  }
  return "unknown";
}

ExchangeOptions ExchangeOf(const pb::ServiceDescriptor* service) {
  auto options = CompiledOptions<pb::ServiceOptions>(service);
  ExchangeOptions out;
  if (!options.HasExtension(spec::exchange)) return out;
  const spec::ExchangeOptions& o = options.GetExtension(spec::exchange);
  if (o.has_name()) out.name = o.name();
  if (o.has_type()) out.type = TypeOf(o.type());
  if (o.has_durable()) out.durable = o.durable();
  if (o.has_auto_delete()) out.auto_delete = o.auto_delete();
  if (!o.arguments().empty()) out.arguments = TableOf(o.arguments());
  return out;
}

QueueOptions QueueOf(const pb::MethodDescriptor* method) {
  auto options = CompiledOptions<pb::MethodOptions>(method);
  QueueOptions out;
  if (options.HasExtension(spec::queue)) {
    const spec::QueueOptions& o = options.GetExtension(spec::queue);
    if (o.has_name()) out.name = o.name();
    if (o.has_durable()) out.durable = o.durable();
    if (o.has_exclusive()) out.exclusive = o.exclusive();
    if (o.has_auto_delete()) out.auto_delete = o.auto_delete();
    if (!o.arguments().empty()) out.arguments = TableOf(o.arguments());
  }
  if (!out.name || out.name->empty()) out.name = RoutingKeyOf(method);
  return out;
}

ResolvedService::ResolvedService(const pb::ServiceDescriptor* service,
                                 const std::optional<std::string>& exchange_override)
    : descriptor_(service) {
  spec_.full_name = Keep(service->full_name());
  spec_.package = Keep(service->file()->package());
  spec_.exchange = ExchangeOf(service);
  if (exchange_override) spec_.exchange.name = *exchange_override;
  for (int i = 0; i < service->method_count(); ++i) {
    const pb::MethodDescriptor* m = service->method(i);
    MethodSpec method;
    method.name = Keep(m->name());
    method.routing_key = Keep(RoutingKeyOf(m));
    method.kind = KindOf(m);
    method.request_type = Keep(m->input_type()->full_name());
    if (method.kind != MethodKind::kFireAndForget) {
      method.response_type = Keep(m->output_type()->full_name());
    }
    method.queue = QueueOf(m);
    spec_.methods.push_back(std::move(method));
  }
}

std::string_view ResolvedService::Keep(std::string s) {
  strings_.push_back(std::move(s));
  return strings_.back();
}

int ResolvedService::MethodIndex(const std::string& name) const {
  for (size_t i = 0; i < spec_.methods.size(); ++i) {
    if (spec_.methods[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace brokrpc::cli
