#include "proto_json.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

namespace brokrpc::cli {

namespace pb = google::protobuf;

Status ParseProtoJson(std::string_view json, pb::Message* message) {
  pb::util::JsonParseOptions options;
  auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return InvalidArgumentError(fmt::format("invalid JSON for {}: {}", message->GetTypeName(),
                                            status.message().as_string()));
  }
  return OkStatus();
}

Status PrintProtoJson(const pb::Message& message, std::string* json) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  json->clear();
  auto status = pb::util::MessageToJsonString(message, json, options);
  if (!status.ok()) {
    return InternalError(fmt::format("can't print {} as JSON: {}", message.GetTypeName(),
                                     status.message().as_string()));
  }
  return OkStatus();
}

}  // namespace brokrpc::cli
