// Serializers: turn payloads into message bodies and back, with the wire contract's checks.
//
//   protobuf: content_type "application/protobuf", type = the message's full name, no encoding.
//   JSON:     content_type "application/json", content_encoding "utf-8", proto3 JSON mapping.
//   raw:      the body as is; no content checks.
// Decoders compare content_type and type exactly; a mismatch is INVALID_ARGUMENT naming what was
// expected and what came.
#ifndef BROKRPC_SERIALIZER_H_
#define BROKRPC_SERIALIZER_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "brokrpc/encoding.h"
#include "brokrpc/message.h"
#include "brokrpc/status.h"

namespace brokrpc {

inline constexpr std::string_view kProtobufContentType = "application/protobuf";
inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kJsonContentEncoding = "utf-8";

// Binary protobuf payloads. Stateless; thread-safe.
struct ProtobufSerializer {
  static Status Encode(const google::protobuf::Message& payload, Message* out);
  static Status Decode(const Message& in, google::protobuf::Message* payload);
};

// Protobuf messages as compact proto3 JSON (UTF-8; non-ASCII accepted escaped or raw).
struct JsonSerializer {
  static Status Encode(const google::protobuf::Message& payload, Message* out);
  static Status Decode(const Message& in, google::protobuf::Message* payload);
};

// Bytes as they are.
struct RawSerializer {
  static Status Encode(std::string_view payload, Message* out);
  static Status Decode(const Message& in, std::string* payload);
};

// Encodes `payload` with the serializer of `encoding`.
Status EncodePayload(Encoding encoding, const google::protobuf::Message& payload, Message* out);

}  // namespace brokrpc

#endif  // BROKRPC_SERIALIZER_H_
