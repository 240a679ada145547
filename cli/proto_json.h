// proto3 JSON in and out for messages of any pool (dynamic messages included).
#ifndef BROKRPC_CLI_PROTO_JSON_H_
#define BROKRPC_CLI_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "brokrpc/status.h"

namespace brokrpc::cli {

// Parses proto3 JSON into `message` (unknown fields are errors). INVALID_ARGUMENT with the
// type and the parser's reason, which names the offending field. Thread-safe.
Status ParseProtoJson(std::string_view json, google::protobuf::Message* message);

// Compact proto3 JSON with the proto field names, on one line. Thread-safe.
Status PrintProtoJson(const google::protobuf::Message& message, std::string* json);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_PROTO_JSON_H_
