// libFuzzer target: arbitrary bodies and properties through every decoder a server or client
// runs on received messages (protobuf, JSON, error replies, stream envelopes, deadlines).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/wrappers.pb.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "brokrpc/serializer.h"
#include "brokrpc/server_context.h"
#include "brokrpc/service.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "rpc/wire.h"

// protobuf logs every invalid UTF-8 string it parses: silence it (fuzzing speed).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  brokrpc::Message m;
  // The first byte picks the properties; the rest is the body.
  uint8_t shape = data[0];
  m.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  if (shape & 1)
    m.properties.content_type = (shape & 2) ? "application/json" : "application/protobuf";
  if (shape & 4)
    m.properties.type = (shape & 8) ? "google.protobuf.Struct" : "brokrpc.spec.v1.Error";
  if (shape & 16) m.properties.content_encoding = "utf-8";
  if (shape & 32) m.properties.expiration = m.body.substr(0, 8);
  if (shape & 64) {
    m.properties.headers.Set("x-brokrpc-deadline", m.body.substr(0, 12));
    m.properties.headers.Set("x-brokrpc-status", m.body.substr(0, 3));
    m.properties.timestamp = static_cast<int64_t>(size);
  }
  google::protobuf::Struct s;
  brokrpc::DecodePayload(m, &s).IgnoreError();
  google::protobuf::StringValue v;
  brokrpc::ProtobufSerializer::Decode(m, &v).IgnoreError();
  brokrpc::JsonSerializer::Decode(m, &v).IgnoreError();
  brokrpc::Status error;
  brokrpc::internal::DecodeErrorReply(m, &error);
  brokrpc::internal::RequestDeadline(m);
  brokrpc::ServerContext context(m);
  brokrpc::spec::v1::StreamRequest request;
  request.ParseFromString(m.body);
  brokrpc::spec::v1::StreamResponse response;
  response.ParseFromString(m.body);
  return 0;
}
