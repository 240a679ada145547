// Service: the base class of generated services; holds the typed handlers of its methods.
#ifndef BROKRPC_SERVICE_H_
#define BROKRPC_SERVICE_H_

#include <functional>
#include <memory>
#include <vector>

#include "brokrpc/consume_result.h"
#include "brokrpc/message.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/serializer.h"
#include "brokrpc/server_context.h"
#include "brokrpc/status.h"
#include "brokrpc/stream.h"

namespace brokrpc {

// A request handler erased to bytes: decodes `request`, runs the typed method, encodes the
// reply into `response` (same content type as the request).
using RawUnaryHandler =
    std::function<Status(ServerContext& context, const Message& request, Message* response)>;
// A fire-and-forget handler erased to bytes: decodes and runs the typed method.
using RawFireAndForgetHandler =
    std::function<ConsumeResult(ServerContext& context, const Message& message)>;

// A streaming handler erased to the stream: runs the typed method over `stream`.
using RawStreamHandler =
    std::function<Status(ServerContext& context, internal::StreamCore& stream)>;

// Decodes `in` as protobuf or JSON, by its content_type.
Status DecodePayload(const Message& in, google::protobuf::Message* payload);
// Encodes `payload` the way `like` was encoded (JSON for a JSON request, else protobuf).
Status EncodePayloadLike(const Message& like, const google::protobuf::Message& payload,
                         Message* out);

// Generated `Service` classes derive from this and register one handler per method in their
// constructor. Register an instance with Server::RegisterService; it must outlive the server.
// Handlers run on the broker's handler pool, many at once: implementations must be thread-safe.
class Service {
 public:
  explicit Service(const ServiceSpec& spec) : spec_(spec), handlers_(spec.methods.size()) {}
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const ServiceSpec& spec() const { return spec_; }

  // One entry per method of spec().methods (empty for kinds a server cannot serve yet).
  struct Handler {
    RawUnaryHandler unary;
    RawFireAndForgetHandler fire_and_forget;
    RawStreamHandler stream;
  };
  const Handler& handler(size_t method_index) const { return handlers_.at(method_index); }

 protected:
  template <typename Request, typename Response>
  void AddUnaryHandler(size_t method_index,
                       std::function<Status(ServerContext*, const Request*, Response*)> method) {
    handlers_.at(method_index).unary = [method = std::move(method)](ServerContext& context,
                                                                    const Message& in,
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
  void AddFireAndForgetHandler(
      size_t method_index, std::function<ConsumeResult(ServerContext*, const Request*)> method) {
    handlers_.at(method_index).fire_and_forget =
        [method = std::move(method)](ServerContext& context, const Message& in) -> ConsumeResult {
      Request request;
      Status decoded = DecodePayload(in, &request);
      if (!decoded.ok()) return ConsumeResult::Failed(decoded);
      return method(&context, &request);
    };
  }

  template <typename Request, typename Response>
  void AddServerStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, const Request*, ServerWriter<Response>*)> method) {
    handlers_.at(method_index).stream = [method = std::move(method)](
                                            ServerContext& context,
                                            internal::StreamCore& stream) -> Status {
      Request request;
      if (!internal::StreamRead(stream, &request)) {
        return InvalidArgumentError("a server-streaming call arrived without its request");
      }
      ServerWriter<Response> writer(&stream);
      return method(&context, &request, &writer);
    };
  }

  template <typename Request, typename Response>
  void AddClientStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, ServerReader<Request>*, Response*)> method) {
    handlers_.at(method_index).stream = [method = std::move(method)](
                                            ServerContext& context,
                                            internal::StreamCore& stream) -> Status {
      ServerReader<Request> reader(&stream);
      Response response;
      Status status = method(&context, &reader, &response);
      if (status.ok() && !internal::StreamWrite(stream, response)) {
        return UnavailableError("the client went away before the response");
      }
      return status;
    };
  }

  template <typename Request, typename Response>
  void AddBidiStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, ServerReaderWriter<Response, Request>*)> method) {
    handlers_.at(method_index).stream = [method = std::move(method)](
                                            ServerContext& context,
                                            internal::StreamCore& stream) -> Status {
      ServerReaderWriter<Response, Request> stream_rw(&stream);
      return method(&context, &stream_rw);
    };
  }

 private:
  const ServiceSpec& spec_;
  std::vector<Handler> handlers_;
};

}  // namespace brokrpc

#endif  // BROKRPC_SERVICE_H_
