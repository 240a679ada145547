// Options for AMQP entities: exchanges, queues, bindings and publishers.
//
// Every field is std::optional: "unset" is distinct from false. Options merge field by field,
// as in BrokRPC: MergeOptions(base, over) takes each field of `over` that is set, else `base`'s.
// What stays unset falls back to the AMQP defaults (direct, not durable, not auto-delete, ...).
#ifndef BROKRPC_OPTIONS_H_
#define BROKRPC_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokrpc/field_table.h"
#include "brokrpc/status_or.h"

namespace brokrpc {

// The AMQP exchange types.
enum class ExchangeType { kDirect, kFanout, kTopic, kHeaders };

// "direct", "fanout", "topic" or "headers".
std::string_view ExchangeTypeName(ExchangeType type);
// Parses an AMQP exchange type name.
StatusOr<ExchangeType> ParseExchangeType(std::string_view name);

// The consumer prefetch used when no option sets one (bounds handler concurrency and memory).
inline constexpr uint16_t kDefaultPrefetchCount = 64;

// An exchange: name, type, flags and x-arguments.
struct ExchangeOptions {
  std::optional<std::string> name{};
  std::optional<ExchangeType> type{};
  std::optional<bool> durable{};
  std::optional<bool> auto_delete{};
  std::optional<FieldTable> arguments{};

  friend bool operator==(const ExchangeOptions&, const ExchangeOptions&) = default;
};

// A queue: name (unset or empty: the broker names it), flags, x-arguments, and the prefetch of
// consumers reading it (0 = unlimited, as in AMQP).
struct QueueOptions {
  std::optional<std::string> name{};
  std::optional<bool> durable{};
  std::optional<bool> exclusive{};
  std::optional<bool> auto_delete{};
  std::optional<FieldTable> arguments{};
  std::optional<uint16_t> prefetch_count{};

  friend bool operator==(const QueueOptions&, const QueueOptions&) = default;
};

// A queue bound to an exchange under one or more binding keys.
struct BindingOptions {
  ExchangeOptions exchange{};
  std::vector<std::string> binding_keys{};
  QueueOptions queue{};
};

// How a publisher publishes: to which exchange, mandatory or not, with confirms or not.
struct PublisherOptions {
  ExchangeOptions exchange{};
  // Unroutable messages come back (basic.return) and the publish fails with UNAVAILABLE.
  std::optional<bool> mandatory{};
  // Wait for the broker's confirm (default true); without, a publish is done once written.
  std::optional<bool> confirms{};
  // Declare the exchange before the first publish (default false, as BrokRPC).
  std::optional<bool> declare_exchange{};
};

ExchangeOptions MergeOptions(const ExchangeOptions& base, const ExchangeOptions& over);
QueueOptions MergeOptions(const QueueOptions& base, const QueueOptions& over);
PublisherOptions MergeOptions(const PublisherOptions& base, const PublisherOptions& over);

// An exchange with every default applied.
struct ResolvedExchange {
  std::string name{};
  ExchangeType type = ExchangeType::kDirect;
  bool durable = false;
  bool auto_delete = false;
  FieldTable arguments{};

  friend bool operator==(const ResolvedExchange&, const ResolvedExchange&) = default;
};

// A queue with every default applied. An empty name asks the broker for a generated name.
struct ResolvedQueue {
  std::string name{};
  bool durable = false;
  bool exclusive = false;
  bool auto_delete = false;
  FieldTable arguments{};

  friend bool operator==(const ResolvedQueue&, const ResolvedQueue&) = default;
};

ResolvedExchange Resolve(const ExchangeOptions& options);
ResolvedQueue Resolve(const QueueOptions& options);

// "type=direct durable=false auto_delete=false arguments={}" — for error messages.
std::string DescribeFlags(const ResolvedExchange& exchange);
std::string DescribeFlags(const ResolvedQueue& queue);

}  // namespace brokrpc

#endif  // BROKRPC_OPTIONS_H_
