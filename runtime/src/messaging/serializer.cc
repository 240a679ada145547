#include "brokrpc/serializer.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

namespace brokrpc {
namespace {

std::string Shown(const std::optional<std::string>& v) {
  return v ? fmt::format("'{}'", *v) : std::string("none");
}

Status CheckContentType(const Message& in, std::string_view expected) {
  if (in.properties.content_type && *in.properties.content_type == expected) return OkStatus();
  return InvalidArgumentError(fmt::format("invalid content type: expected '{}', got {}", expected,
                                          Shown(in.properties.content_type)));
}

// Appends the \uXXXX escape(s) of code point `cp` (a surrogate pair above U+FFFF).
void AppendEscaped(uint32_t cp, std::string* out) {
  if (cp >= 0x10000) {
    cp -= 0x10000;
    AppendEscaped(0xD800 + (cp >> 10), out);
    AppendEscaped(0xDC00 + (cp & 0x3FF), out);
    return;
  }
  *out += fmt::format("\\u{:04x}", cp);
}

// Rewrites non-ASCII UTF-8 as \uXXXX escapes, as Python's json module writes it. In JSON text
// non-ASCII bytes can only occur inside strings, so a byte-level pass is exact.
std::string EscapeNonAscii(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size();) {
    unsigned char c = static_cast<unsigned char>(json[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    uint32_t cp = c & (extra == 3 ? 0x07 : extra == 2 ? 0x0F : 0x1F);
    for (int k = 1; k <= extra && i + k < json.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(json[i + k]) & 0x3F);
    }
    AppendEscaped(cp, &out);
    i += 1 + extra;
  }
  return out;
}

}  // namespace

Status ProtobufSerializer::Encode(const google::protobuf::Message& payload, Message* out) {
  out->body.clear();
  if (!payload.SerializeToString(&out->body)) {
    return InvalidArgumentError(
        fmt::format("can't encode protobuf message {}", payload.GetTypeName()));
  }
  out->properties.content_type = std::string(kProtobufContentType);
  out->properties.type = payload.GetTypeName();
  out->properties.content_encoding.reset();
  return OkStatus();
}

Status ProtobufSerializer::Decode(const Message& in, google::protobuf::Message* payload) {
  BROKRPC_RETURN_IF_ERROR(CheckContentType(in, kProtobufContentType));
  const std::string expected = payload->GetTypeName();
  if (!in.properties.type || *in.properties.type != expected) {
    return InvalidArgumentError(fmt::format("invalid message type: expected '{}', got {}", expected,
                                            Shown(in.properties.type)));
  }
  if (!payload->ParseFromString(in.body)) {
    return InvalidArgumentError(
        fmt::format("can't decode protobuf message {} ({} bytes)", expected, in.body.size()));
  }
  return OkStatus();
}

Status JsonSerializer::Encode(const google::protobuf::Message& payload, Message* out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(payload, &json, options);
  if (!status.ok()) {
    return InvalidArgumentError(
        fmt::format("can't encode {} as JSON: {}", payload.GetTypeName(), status.ToString()));
  }
  out->body = EscapeNonAscii(json);
  out->properties.content_type = std::string(kJsonContentType);
  out->properties.content_encoding = std::string(kJsonContentEncoding);
  out->properties.type.reset();
  return OkStatus();
}

Status JsonSerializer::Decode(const Message& in, google::protobuf::Message* payload) {
  BROKRPC_RETURN_IF_ERROR(CheckContentType(in, kJsonContentType));
  const auto& enc = in.properties.content_encoding;
  if (enc && *enc != "utf-8" && *enc != "UTF-8" && *enc != "utf8") {
    return InvalidArgumentError(
        fmt::format("unsupported content encoding: expected 'utf-8', got '{}'", *enc));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(in.body, payload, options);
  if (!status.ok()) {
    return InvalidArgumentError(fmt::format("can't decode JSON as {}: {}", payload->GetTypeName(),
                                            status.message().as_string()));
  }
  return OkStatus();
}

Status RawSerializer::Encode(std::string_view payload, Message* out) {
  out->body.assign(payload.data(), payload.size());
  return OkStatus();
}

Status RawSerializer::Decode(const Message& in, std::string* payload) {
  *payload = in.body;
  return OkStatus();
}

Status EncodePayload(Encoding encoding, const google::protobuf::Message& payload, Message* out) {
  return encoding == Encoding::kJson ? JsonSerializer::Encode(payload, out)
                                     : ProtobufSerializer::Encode(payload, out);
}

}  // namespace brokrpc
