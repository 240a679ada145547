// Support for generated code. Unstable: include the public headers, not this one.
// IWYU pragma: private, include "brokrpc/brokrpc.h"
#ifndef BROKRPC_IMPL_CODEGEN_H_
#define BROKRPC_IMPL_CODEGEN_H_

#include <functional>
#include <future>
#include <memory>
#include <string_view>

#include "brokrpc/channel.h"
#include "brokrpc/client_context.h"
#include "brokrpc/consume_result.h"
#include "brokrpc/impl/call_paths.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/serializer.h"
#include "brokrpc/server_context.h"
#include "brokrpc/service.h"
#include "brokrpc/status.h"
#include "brokrpc/status_or.h"
#include "brokrpc/stream.h"

namespace brokrpc::internal {

// The request encoding of a call: the context's, else the channel's.
inline Encoding RequestEncoding(const Channel* channel, const ClientContext* context) {
  return context != nullptr && context->encoding() ? *context->encoding()
                                                   : channel->options().encoding;
}

// Requests are encoded as the call asks; replies are decoded by their content_type (a server
// answers JSON with JSON).
template <typename Request>
Status EncodeRequest(const Channel* channel, const ClientContext* context, const Request& request,
                     Message* out) {
  return EncodePayload(RequestEncoding(channel, context), request, out);
}

template <typename Request, typename Response>
Status BlockingUnaryCall(Channel* channel, const ServiceSpec& service, size_t method,
                         ClientContext* context, const Request& request, Response* response) {
  Message out;
  BROKRPC_RETURN_IF_ERROR(EncodeRequest(channel, context, request, &out));
  Message reply;
  BROKRPC_RETURN_IF_ERROR(CallUnary(*channel, service, method, context, std::move(out), &reply));
  return DecodePayload(reply, response);
}

template <typename Request, typename Response>
void CallbackUnaryCall(Channel* channel, const ServiceSpec& service, size_t method,
                       ClientContext* context, const Request& request,
                       std::function<void(StatusOr<Response>)> done) {
  Message out;
  Status encoded = EncodeRequest(channel, context, request, &out);
  if (!encoded.ok()) {
    done(encoded);
    return;
  }
  StartUnary(*channel, service, method, context, std::move(out),
             [done = std::move(done)](Status status, Message* reply) {
               if (!status.ok()) return done(std::move(status));
               Response response;
               Status decoded = DecodePayload(*reply, &response);
               if (!decoded.ok()) return done(std::move(decoded));
               done(std::move(response));
             });
}

template <typename Request, typename Response>
std::future<StatusOr<Response>> AsyncUnaryCall(Channel* channel, const ServiceSpec& service,
                                               size_t method, ClientContext* context,
                                               const Request& request) {
  auto promise = std::make_shared<std::promise<StatusOr<Response>>>();
  auto future = promise->get_future();
  Message out;
  Status encoded = EncodeRequest(channel, context, request, &out);
  if (!encoded.ok()) {
    promise->set_value(std::move(encoded));
    return future;
  }
  // No user code runs in the completion (decode, fulfil the promise): it runs on the thread
  // that settles the call instead of being handed to the pool.
  StartUnaryInline(*channel, service, method, context, std::move(out),
                   [promise](Status status, Message* reply) {
                     if (!status.ok()) return promise->set_value(std::move(status));
                     Response response;
                     Status decoded = DecodePayload(*reply, &response);
                     if (!decoded.ok()) return promise->set_value(std::move(decoded));
                     promise->set_value(std::move(response));
                   });
  return future;
}

template <typename Request>
Status BlockingFireAndForget(Channel* channel, const ServiceSpec& service, size_t method,
                             ClientContext* context, const Request& request) {
  Message out;
  BROKRPC_RETURN_IF_ERROR(EncodeRequest(channel, context, request, &out));
  return Publish(*channel, service, method, context, std::move(out));
}

template <typename Request>
std::future<Status> AsyncFireAndForget(Channel* channel, const ServiceSpec& service, size_t method,
                                       ClientContext* context, const Request& request) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  Message out;
  Status encoded = EncodeRequest(channel, context, request, &out);
  if (!encoded.ok()) {
    promise->set_value(encoded);
    return future;
  }
  StartPublish(*channel, service, method, context, std::move(out),
               [promise](Status s) { promise->set_value(std::move(s)); });
  return future;
}

template <typename Request, typename Response>
std::unique_ptr<ClientReader<Response>> ServerStreamingCall(Channel* channel,
                                                            const ServiceSpec& service,
                                                            size_t method, ClientContext* context,
                                                            const Request& request) {
  return std::make_unique<ClientReader<Response>>(
      OpenStream(*channel, service, method, context, &request, /*last=*/true));
}

template <typename Request, typename Response>
std::unique_ptr<ClientWriter<Request, Response>> ClientStreamingCall(Channel* channel,
                                                                     const ServiceSpec& service,
                                                                     size_t method,
                                                                     ClientContext* context,
                                                                     Response* response) {
  return std::make_unique<ClientWriter<Request, Response>>(
      OpenStream(*channel, service, method, context, nullptr, /*last=*/false), response);
}

template <typename Request, typename Response>
std::unique_ptr<ClientReaderWriter<Request, Response>> BidiStreamingCall(Channel* channel,
                                                                         const ServiceSpec& service,
                                                                         size_t method,
                                                                         ClientContext* context) {
  return std::make_unique<ClientReaderWriter<Request, Response>>(
      OpenStream(*channel, service, method, context, nullptr, /*last=*/false));
}

}  // namespace brokrpc::internal

#endif  // BROKRPC_IMPL_CODEGEN_H_
