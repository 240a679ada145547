// Encoding: the wire encoding of a client's requests (ChannelOptions, ClientContext).
#ifndef BROKRPC_ENCODING_H_
#define BROKRPC_ENCODING_H_

namespace brokrpc {

// How a typed stub encodes its requests (serializer.h has the wire details). Replies are decoded
// by their content_type, and a server answers a JSON request with JSON. Streams always use
// protobuf. A plain value; thread-safe.
enum class Encoding {
  kProtobuf,  // application/protobuf (the default; what Python BrokRPC's protobuf serializer uses)
  kJson,      // application/json, proto3 JSON (Python BrokRPC's JSON serializer)
};

}  // namespace brokrpc

#endif  // BROKRPC_ENCODING_H_
