#include "message_output.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "json_text.h"

namespace brokrpc::cli {
namespace {

// (name, JSON value) of each property that is set.
std::vector<std::pair<std::string, std::string>> Properties(const MessageProperties& p) {
  std::vector<std::pair<std::string, std::string>> out;
  auto str = [&](const char* name, const std::optional<std::string>& v) {
    if (v) out.emplace_back(name, JsonQuote(IsUtf8(*v) ? *v : "<binary>"));
  };
  str("content_type", p.content_type);
  str("content_encoding", p.content_encoding);
  if (p.delivery_mode) {
    out.emplace_back("delivery_mode", std::to_string(static_cast<int>(*p.delivery_mode)));
  }
  if (p.priority) out.emplace_back("priority", std::to_string(*p.priority));
  str("correlation_id", p.correlation_id);
  str("reply_to", p.reply_to);
  str("expiration", p.expiration);
  str("message_id", p.message_id);
  if (p.timestamp) out.emplace_back("timestamp", std::to_string(*p.timestamp));
  str("type", p.type);
  str("user_id", p.user_id);
  str("app_id", p.app_id);
  return out;
}

std::string Unquoted(const std::string& json) {
  if (json.size() >= 2 && json.front() == '"') return json.substr(1, json.size() - 2);
  return json;
}

}  // namespace

StatusOr<OutputMode> ParseOutputMode(const std::string& text) {
  if (text == "body") return OutputMode::kBody;
  if (text == "wide") return OutputMode::kWide;
  if (text == "json") return OutputMode::kJson;
  return InvalidArgumentError(fmt::format("unknown output mode '{}' (body, wide, json)", text));
}

std::string FormatMessage(OutputMode mode, const Message& message, const DecodedBody& body) {
  const bool redelivered = message.delivery && message.delivery->redelivered;
  switch (mode) {
    case OutputMode::kBody:
      return body.text + "\n";
    case OutputMode::kWide: {
      std::string out = fmt::format("exchange: {}\nrouting_key: {}\nredelivered: {}\n",
                                    message.exchange, message.routing_key, redelivered);
      for (const auto& [name, value] : Properties(message.properties)) {
        out += fmt::format("{}: {}\n", name, Unquoted(value));
      }
      for (const auto& [key, value] : message.properties.headers) {
        out += fmt::format("header {}: {}\n", key, value.ToString());
      }
      return out + "body: " + body.json + "\n\n";
    }
    case OutputMode::kJson: {
      std::string props;
      for (const auto& [name, value] : Properties(message.properties)) {
        props += (props.empty() ? "" : ",") + JsonQuote(name) + ":" + value;
      }
      return fmt::format(
          "{{\"exchange\":{},\"routing_key\":{},\"redelivered\":{},\"properties\":{{{}}},"
          "\"headers\":{},\"body\":{}}}\n",
          JsonQuote(message.exchange), JsonQuote(message.routing_key), redelivered, props,
          FieldTableJson(message.properties.headers), body.json);
    }
  }
  return body.text + "\n";
}

}  // namespace brokrpc::cli
