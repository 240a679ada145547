// BodyFormat: how `consume` and `publish` turn message bodies into text and back (-s).
#ifndef BROKRPC_CLI_BODY_FORMAT_H_
#define BROKRPC_CLI_BODY_FORMAT_H_

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>

#include "brokrpc/message.h"
#include "brokrpc/status_or.h"
#include "schema.h"

namespace brokrpc::cli {

// -s raw | json | protobuf:FULL.TYPE.NAME. A value type; thread-compatible.
struct BodyFormat {
  enum class Kind { kRaw, kJson, kProtobuf };
  Kind kind = Kind::kRaw;
  // The message type (kProtobuf only), a type of the schema it was parsed with.
  const google::protobuf::Descriptor* type = nullptr;
};

// Parses -s; INVALID_ARGUMENT for an unknown serializer, NOT_FOUND for an unknown type. The
// type is looked up in `schema` (compiled-in types such as brokrpc.spec.v1.Error are known
// without one).
StatusOr<BodyFormat> ParseBodyFormat(const std::string& text, Schema& schema);

// One line of input as a message body: raw as is; json checked and sent as application/json;
// protobuf parsed as proto3 JSON (INVALID_ARGUMENT naming the field) and sent as binary
// application/protobuf with AMQP type = the full name.
Status EncodeBody(const BodyFormat& format, Schema& schema, std::string_view line, Message* out);

// A received body for printing: `text` for -o body, `json` (one JSON value on one line) for
// -o json and -o wide. A value type; thread-compatible.
struct DecodedBody {
  std::string text;
  std::string json;
};

// Decodes a received body. raw never fails (json: a string, or {"base64": ...} when the body
// is not UTF-8); json must parse; protobuf accepts binary (AMQP type, when set, must be the
// expected name) or application/json bodies and prints proto3 JSON.
StatusOr<DecodedBody> DecodeBody(const BodyFormat& format, Schema& schema, const Message& in);

// Standard base64 (with padding).
std::string Base64(std::string_view bytes);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_BODY_FORMAT_H_
