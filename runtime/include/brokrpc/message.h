// Message: an AMQP message as brokrpc's messaging API sees it — body, properties, delivery info.
#ifndef BROKRPC_MESSAGE_H_
#define BROKRPC_MESSAGE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "brokrpc/field_table.h"

namespace brokrpc {

// AMQP delivery_mode: transient (1) or persistent (2).
enum class DeliveryMode : uint8_t { kTransient = 1, kPersistent = 2 };

// The AMQP basic properties. Unset fields are not sent.
struct MessageProperties {
  std::optional<std::string> content_type{};
  std::optional<std::string> content_encoding{};
  FieldTable headers{};
  std::optional<DeliveryMode> delivery_mode{};
  std::optional<uint8_t> priority{};
  std::optional<std::string> correlation_id{};
  std::optional<std::string> reply_to{};
  // Per-message TTL: integer milliseconds as a decimal string (AMQP's form).
  std::optional<std::string> expiration{};
  std::optional<std::string> message_id{};
  // Seconds since the Unix epoch.
  std::optional<int64_t> timestamp{};
  // AMQP "type"; for protobuf payloads the message's full name.
  std::optional<std::string> type{};
  std::optional<std::string> user_id{};
  std::optional<std::string> app_id{};

  friend bool operator==(const MessageProperties&, const MessageProperties&) = default;
};

// Where a received message came from.
struct DeliveryInfo {
  std::string exchange{};
  std::string routing_key{};
  bool redelivered = false;
  // Opaque: settle with it through the consumer (it carries the connection generation).
  uint64_t delivery_tag = 0;
  std::string consumer_tag{};
  // The body was larger than the connection's max_message_size and was dropped (body empty).
  bool oversized = false;

  friend bool operator==(const DeliveryInfo&, const DeliveryInfo&) = default;
};

// A message to publish or a message received. For publishing, `exchange` and `routing_key` say
// where it goes (an empty exchange means the publisher's default). For a received message they
// repeat the delivery's exchange and routing key, and `delivery` is set.
struct Message {
  std::string body{};
  std::string exchange{};
  std::string routing_key{};
  MessageProperties properties{};
  std::optional<DeliveryInfo> delivery{};

  // The expiration as a duration, when it is set and well formed.
  std::optional<std::chrono::milliseconds> ttl() const;
  // Sets expiration to `ttl` in whole milliseconds (negative values become 0).
  void set_ttl(std::chrono::milliseconds ttl);

  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace brokrpc

#endif  // BROKRPC_MESSAGE_H_
