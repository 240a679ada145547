#include "body_format.h"

#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "brokrpc/serializer.h"
#include "json_text.h"
#include "proto_json.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;

namespace {

std::string_view TrimTrailing(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(n >> (6 * k)) & 0x3F]);
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 0x3F]);
    out.push_back(kAlphabet[(n >> 12) & 0x3F]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 0x3F] : '=');
    out.push_back('=');
  }
  return out;
}

StatusOr<BodyFormat> ParseBodyFormat(const std::string& text, Schema& schema) {
  if (text == "raw" || text.empty()) return BodyFormat{};
  if (text == "json") return BodyFormat{.kind = BodyFormat::Kind::kJson};
  constexpr std::string_view kPrefix = "protobuf:";
  if (text.rfind(kPrefix, 0) == 0) {
    std::string name = text.substr(kPrefix.size());
    const pb::Descriptor* type = schema.FindMessage(name);
    if (type == nullptr) {
      return NotFoundError(
          fmt::format("unknown message type '{}' (give its schema with --proto FILE -I DIR or "
                      "--descriptor-set FILE)",
                      name));
    }
    return BodyFormat{.kind = BodyFormat::Kind::kProtobuf, .type = type};
  }
  return InvalidArgumentError(
      fmt::format("unknown serializer '{}' (known: raw, json, protobuf:FULL.TYPE.NAME)", text));
}

Status EncodeBody(const BodyFormat& format, Schema& schema, std::string_view line, Message* out) {
  switch (format.kind) {
    case BodyFormat::Kind::kRaw:
      return RawSerializer::Encode(line, out);
    case BodyFormat::Kind::kJson: {
      std::string_view json = TrimTrailing(line);
      BROKRPC_RETURN_IF_ERROR(CheckJson(json));
      out->body.assign(json.data(), json.size());
      out->properties.content_type = std::string(kJsonContentType);
      out->properties.content_encoding = std::string(kJsonContentEncoding);
      return OkStatus();
    }
    case BodyFormat::Kind::kProtobuf: {
      auto message = schema.NewMessage(format.type);
      BROKRPC_RETURN_IF_ERROR(ParseProtoJson(line, message.get()));
      return ProtobufSerializer::Encode(*message, out);
    }
  }
  return InternalError("unknown body format");
}

StatusOr<DecodedBody> DecodeBody(const BodyFormat& format, Schema& schema, const Message& in) {
  switch (format.kind) {
    case BodyFormat::Kind::kRaw: {
      DecodedBody out{.text = in.body, .json = {}};
      out.json =
          IsUtf8(in.body) ? JsonQuote(in.body) : "{\"base64\":" + JsonQuote(Base64(in.body)) + "}";
      return out;
    }
    case BodyFormat::Kind::kJson: {
      std::string_view json = TrimTrailing(in.body);
      BROKRPC_RETURN_IF_ERROR(CheckJson(json));
      DecodedBody out{.text = std::string(json), .json = std::string(json)};
      if (out.json.find_first_of("\r\n") != std::string::npos) {
        // One value per line: re-encode compactly.
        pb::Value value;
        (void)pb::util::JsonStringToMessage(out.json, &value);
        out.json.clear();
        (void)pb::util::MessageToJsonString(value, &out.json);
      }
      return out;
    }
    case BodyFormat::Kind::kProtobuf: {
      auto message = schema.NewMessage(format.type);
      if (in.properties.content_type && *in.properties.content_type == kJsonContentType) {
        BROKRPC_RETURN_IF_ERROR(ParseProtoJson(in.body, message.get()));
      } else {
        if (in.properties.type && *in.properties.type != format.type->full_name()) {
          return InvalidArgumentError(fmt::format("invalid message type: expected '{}', got '{}'",
                                                  format.type->full_name(), *in.properties.type));
        }
        if (!message->ParseFromString(in.body)) {
          return InvalidArgumentError(fmt::format("can't decode protobuf message {} ({} bytes)",
                                                  format.type->full_name(), in.body.size()));
        }
      }
      std::string json;
      BROKRPC_RETURN_IF_ERROR(PrintProtoJson(*message, &json));
      return DecodedBody{.text = json, .json = json};
    }
  }
  return InternalError("unknown body format");
}

}  // namespace brokrpc::cli
