#include "brokrpc/service.h"

namespace brokrpc {

Status DecodePayload(const Message& in, google::protobuf::Message* payload) {
  if (in.properties.content_type && *in.properties.content_type == kJsonContentType) {
    return JsonSerializer::Decode(in, payload);
  }
  return ProtobufSerializer::Decode(in, payload);
}

Status EncodePayloadLike(const Message& like, const google::protobuf::Message& payload,
                         Message* out) {
  if (like.properties.content_type && *like.properties.content_type == kJsonContentType) {
    return JsonSerializer::Encode(payload, out);
  }
  return ProtobufSerializer::Encode(payload, out);
}

}  // namespace brokrpc
