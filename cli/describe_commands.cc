#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "connect.h"
#include "exit_code.h"
#include "method_lookup.h"
#include "reflection_client.h"
#include "schema_commands.h"
#include "service_spec.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;

namespace {

std::string ExchangeLine(const ExchangeOptions& options) {
  ResolvedExchange e = Resolve(options);
  if (e.name.empty()) return "exchange: none (the service has no exchange option: call with -e)";
  return fmt::format("exchange: {} ({})", e.name, DescribeFlags(e));
}

std::string QueueLine(const QueueOptions& options) {
  ResolvedQueue q = Resolve(options);
  return fmt::format("queue: {} (durable={} exclusive={} auto_delete={})", q.name, q.durable,
                     q.exclusive, q.auto_delete);
}

std::string MethodLines(const ResolvedService& service, size_t index, const char* indent) {
  const MethodSpec& m = service.spec().methods[index];
  const pb::MethodDescriptor* d = service.descriptor()->method(static_cast<int>(index));
  return fmt::format("{0}{1}: {2}, {3} -> {4}\n{0}  routing key: {5}\n{0}  {6}\n", indent, m.name,
                     KindName(m.kind), d->input_type()->full_name(), d->output_type()->full_name(),
                     m.routing_key, QueueLine(m.queue));
}

std::string ServiceLines(const ResolvedService& service) {
  std::string out =
      fmt::format("{}\n  {}\n", service.spec().full_name, ExchangeLine(service.spec().exchange));
  for (size_t i = 0; i < service.spec().methods.size(); ++i) {
    out += MethodLines(service, i, "  ");
  }
  return out;
}

StatusOr<std::unique_ptr<Schema>> LoadFor(const DescribeArgs& args, const char* command) {
  if (args.schema.empty()) {
    return InvalidArgumentError(
        fmt::format("{} needs a schema: --proto FILE [-I DIR] or --descriptor-set FILE", command));
  }
  return Schema::Load(args.schema);
}

}  // namespace

// list URL -e EXCHANGE: what the servers there report.
int ListReflected(const DescribeArgs& args) {
  auto broker = ConnectBroker(args.url);
  if (!broker.ok()) return ReportFailure(broker.status());
  auto reflected = ReflectServers(**broker, args.exchange.value_or(""), std::chrono::seconds(10));
  (*broker)->Close();
  if (!reflected.ok()) return ReportFailure(reflected.status());
  std::string out;
  for (const auto& name : reflected->services) {
    const pb::ServiceDescriptor* s = reflected->schema->FindService(name);
    if (s == nullptr) {
      out += name + "\n  (the server sent no descriptor for it)\n";
      continue;
    }
    ResolvedService service(s, args.exchange);
    out += ServiceLines(service);
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

int RunList(const DescribeArgs& args) {
  if (args.schema.empty() && !args.url.empty()) return ListReflected(args);
  auto schema = LoadFor(args, "list");
  if (!schema.ok()) return ReportFailure(schema.status());
  std::string out;
  for (const auto* s : (*schema)->Services()) {
    ResolvedService service(s, args.exchange);
    out += ServiceLines(service);
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

int RunDescribe(const DescribeArgs& args) {
  StatusOr<std::unique_ptr<Schema>> schema = InvalidArgumentError("no schema");
  if (args.schema.empty() && !args.url.empty()) {
    auto broker = ConnectBroker(args.url);
    if (!broker.ok()) return ReportFailure(broker.status());
    auto reflected = ReflectServers(**broker, args.exchange.value_or(""), std::chrono::seconds(10));
    (*broker)->Close();
    if (!reflected.ok()) return ReportFailure(reflected.status());
    schema = std::move(reflected->schema);
  } else {
    schema = LoadFor(args, "describe");
  }
  if (!schema.ok()) return ReportFailure(schema.status());
  Schema& s = **schema;
  std::string out;
  if (const auto* service = s.FindService(args.name)) {
    ResolvedService resolved(service, args.exchange);
    out = service->DebugString() + "\n" + ServiceLines(resolved);
  } else if (const auto* message = s.FindMessage(args.name)) {
    out = message->DebugString();
  } else if (args.name.find_first_of("/.") != std::string::npos &&
             args.name.find('/') != std::string::npos) {
    auto method = FindMethod(s, args.name);
    if (!method.ok()) return ReportFailure(method.status());
    ResolvedService resolved((*method)->service(), args.exchange);
    out = (*method)->DebugString() + "\n" + ExchangeLine(resolved.spec().exchange) + "\n" +
          MethodLines(resolved, static_cast<size_t>((*method)->index()), "");
  } else if (auto method = FindMethod(s, args.name); method.ok()) {
    ResolvedService resolved((*method)->service(), args.exchange);
    out = (*method)->DebugString() + "\n" + ExchangeLine(resolved.spec().exchange) + "\n" +
          MethodLines(resolved, static_cast<size_t>((*method)->index()), "");
  } else {
    return ReportFailure(NotFoundError(fmt::format(
        "no service, method or message named '{}'; services: {}", args.name, ServiceNames(s))));
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace brokrpc::cli
