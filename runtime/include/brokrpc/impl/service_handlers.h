// The handlers of a Service's methods erased to bytes (unary, fire-and-forget) or to the
// untyped stream, and the adapters that build them from typed methods. Unstable: for generated
// code and the server; include "brokrpc/service.h" instead.
// IWYU pragma: private, include "brokrpc/service.h"
#ifndef BROKRPC_IMPL_SERVICE_HANDLERS_H_
#define BROKRPC_IMPL_SERVICE_HANDLERS_H_

#include <functional>
#include <utility>

#include "brokrpc/consume_result.h"
#include "brokrpc/impl/stream_ops.h"
#include "brokrpc/message.h"
#include "brokrpc/serializer.h"
#include "brokrpc/server_context.h"
#include "brokrpc/status.h"
#include "brokrpc/stream.h"

namespace brokrpc {

// Decodes `in` as protobuf or JSON, by its content_type.
Status DecodePayload(const Message& in, google::protobuf::Message* payload);
// Encodes `payload` the way `like` was encoded (JSON for a JSON request, else protobuf).
Status EncodePayloadLike(const Message& like, const google::protobuf::Message& payload,
                         Message* out);

namespace internal {

// A request handler erased to bytes: decodes `request`, runs the typed method, encodes the
// reply into `response` (same content type as the request).
using RawUnaryHandler =
    std::function<Status(ServerContext& context, const Message& request, Message* response)>;
// A fire-and-forget handler erased to bytes: decodes and runs the typed method.
using RawFireAndForgetHandler =
    std::function<ConsumeResult(ServerContext& context, const Message& message)>;
// A streaming handler erased to the stream: runs the typed method over `stream`.
using RawStreamHandler = std::function<Status(ServerContext& context, StreamCore& stream)>;

// What serves one method; the member for the method's kind is set, or none when the service
// does not implement it.
struct MethodHandlers {
  RawUnaryHandler unary;
  RawFireAndForgetHandler fire_and_forget;
  RawStreamHandler stream;
};

template <typename Request, typename Response>
RawUnaryHandler UnaryHandler(
    std::function<Status(ServerContext*, const Request*, Response*)> method) {
  return [method = std::move(method)](ServerContext& context, const Message& in,
                                      Message* out) -> Status {
    Request request;
    Status decoded = DecodePayload(in, &request);
    if (!decoded.ok()) return decoded;
    Response response;
    Status status = method(&context, &request, &response);
    if (!status.ok()) return status;
    return EncodePayloadLike(in, response, out);
  };
}

template <typename Request>
RawFireAndForgetHandler FireAndForgetHandler(
    std::function<ConsumeResult(ServerContext*, const Request*)> method) {
  return [method = std::move(method)](ServerContext& context, const Message& in) -> ConsumeResult {
    Request request;
    Status decoded = DecodePayload(in, &request);
    if (!decoded.ok()) return ConsumeResult::Failed(decoded);
    return method(&context, &request);
  };
}

template <typename Request, typename Response>
RawStreamHandler ServerStreamingHandler(
    std::function<Status(ServerContext*, const Request*, ServerWriter<Response>*)> method) {
  return [method = std::move(method)](ServerContext& context, StreamCore& stream) -> Status {
    Request request;
    if (!StreamRead(stream, &request)) {
      return InvalidArgumentError("a server-streaming call arrived without its request");
    }
    ServerWriter<Response> writer(&stream);
    return method(&context, &request, &writer);
  };
}

template <typename Request, typename Response>
RawStreamHandler ClientStreamingHandler(
    std::function<Status(ServerContext*, ServerReader<Request>*, Response*)> method) {
  return [method = std::move(method)](ServerContext& context, StreamCore& stream) -> Status {
    ServerReader<Request> reader(&stream);
    Response response;
    Status status = method(&context, &reader, &response);
    if (status.ok() && !StreamWrite(stream, response)) {
      return UnavailableError("the client went away before the response");
    }
    return status;
  };
}

template <typename Request, typename Response>
RawStreamHandler BidiStreamingHandler(
    std::function<Status(ServerContext*, ServerReaderWriter<Response, Request>*)> method) {
  return [method = std::move(method)](ServerContext& context, StreamCore& stream) -> Status {
    ServerReaderWriter<Response, Request> stream_rw(&stream);
    return method(&context, &stream_rw);
  };
}

}  // namespace internal
}  // namespace brokrpc

#endif  // BROKRPC_IMPL_SERVICE_HANDLERS_H_
