#include "brokrpc/options.h"

#include <fmt/format.h>

namespace brokrpc {
namespace {
template <typename T>
void Over(std::optional<T>& field, const std::optional<T>& over) {
  if (over.has_value()) field = over;
}

std::string DescribeArguments(const FieldTable& arguments) {
  return FieldValue(arguments).ToString();
}
}  // namespace

std::string_view ExchangeTypeName(ExchangeType type) {
  switch (type) {
    case ExchangeType::kDirect:
      return "direct";
    case ExchangeType::kFanout:
      return "fanout";
    case ExchangeType::kTopic:
      return "topic";
    case ExchangeType::kHeaders:
      return "headers";
  }
  return "direct";
}

StatusOr<ExchangeType> ParseExchangeType(std::string_view name) {
  if (name == "direct") return ExchangeType::kDirect;
  if (name == "fanout") return ExchangeType::kFanout;
  if (name == "topic") return ExchangeType::kTopic;
  if (name == "headers") return ExchangeType::kHeaders;
  return InvalidArgumentError(
      fmt::format("unknown exchange type '{}' (expected direct, fanout, topic or headers)", name));
}

ExchangeOptions MergeOptions(const ExchangeOptions& base, const ExchangeOptions& over) {
  ExchangeOptions out = base;
  Over(out.name, over.name);
  Over(out.type, over.type);
  Over(out.durable, over.durable);
  Over(out.auto_delete, over.auto_delete);
  Over(out.arguments, over.arguments);
  return out;
}

QueueOptions MergeOptions(const QueueOptions& base, const QueueOptions& over) {
  QueueOptions out = base;
  Over(out.name, over.name);
  Over(out.durable, over.durable);
  Over(out.exclusive, over.exclusive);
  Over(out.auto_delete, over.auto_delete);
  Over(out.arguments, over.arguments);
  Over(out.prefetch_count, over.prefetch_count);
  return out;
}

PublisherOptions MergeOptions(const PublisherOptions& base, const PublisherOptions& over) {
  PublisherOptions out = base;
  out.exchange = MergeOptions(base.exchange, over.exchange);
  Over(out.mandatory, over.mandatory);
  Over(out.confirms, over.confirms);
  Over(out.declare_exchange, over.declare_exchange);
  return out;
}

ResolvedExchange Resolve(const ExchangeOptions& o) {
  return ResolvedExchange{.name = o.name.value_or(""),
                          .type = o.type.value_or(ExchangeType::kDirect),
                          .durable = o.durable.value_or(false),
                          .auto_delete = o.auto_delete.value_or(false),
                          .arguments = o.arguments.value_or(FieldTable())};
}

ResolvedQueue Resolve(const QueueOptions& o) {
  return ResolvedQueue{.name = o.name.value_or(""),
                       .durable = o.durable.value_or(false),
                       .exclusive = o.exclusive.value_or(false),
                       .auto_delete = o.auto_delete.value_or(false),
                       .arguments = o.arguments.value_or(FieldTable())};
}

std::string DescribeFlags(const ResolvedExchange& e) {
  return fmt::format("type={} durable={} auto_delete={} arguments={}", ExchangeTypeName(e.type),
                     e.durable, e.auto_delete, DescribeArguments(e.arguments));
}

std::string DescribeFlags(const ResolvedQueue& q) {
  return fmt::format("durable={} exclusive={} auto_delete={} arguments={}", q.durable, q.exclusive,
                     q.auto_delete, DescribeArguments(q.arguments));
}

}  // namespace brokrpc
