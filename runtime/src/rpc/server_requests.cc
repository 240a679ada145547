// ServerImpl, the request path: the unary and fire-and-forget tails of the request skeleton,
// and the replies.
#include "base/log.h"
#include "rpc/context_access.h"
#include "rpc/server_impl.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// A unary request: the handler's reply (or error) goes to the request's reply_to; the request
// is acked once the reply is confirmed. Made for one request, used on its pool thread.
class ServerImpl::UnaryTail {
 public:
  UnaryTail(ServerImpl& server, const RawUnaryHandler* handler, const ServerCall& site)
      : server_(server), handler_(handler), site_(site) {}

  Status Check(const Message& request) const {
    if (!request.properties.reply_to || !request.properties.correlation_id) {
      return InvalidArgumentError("no reply_to or correlation_id");
    }
    return OkStatus();
  }

  void RefuseOversized(Message& request, Settle settle) {
    server_.SendError(request,
                      ResourceExhaustedError("the request is larger than the server's "
                                             "max_message_size"),
                      std::move(settle));
  }

  void Serve(Message& request, Settle settle) {
    server_.Observed(site_, request, [&] { return ServeInChain(request, std::move(settle)); });
  }

 private:
  // Returns the status the client is told.
  Status ServeInChain(Message& request, Settle settle) {
    bool replied = false;
    // The context is made from the request as the interceptors left it.
    auto terminal = [&](Message& req) -> ConsumeResult {
      Message reply;
      Status status;
      return server_.skeleton_.RunHandler(
          req,
          [&](ServerContext& context) {
            status = (*handler_)(context, req, &reply);
            return ConsumeResult::Ack();
          },
          [&](ServerContext& context, ConsumeResult r) {
            if (!r.is_ack()) return r;
            if (!status.ok()) return ConsumeResult::Failed(status);
            server_.SendReply(request, context.response_metadata(), std::move(reply), settle);
            replied = true;
            return ConsumeResult::Ack();
          });
    };
    ConsumeResult result = server_.skeleton_.RunChain(request, terminal);
    if (replied) return OkStatus();
    if (result.kind() == ConsumeResult::Kind::kFailed) {
      server_.SendError(request, result.status(), std::move(settle));
    } else {
      settle(result);
    }
    return StatusOfResult(result);
  }

  ServerImpl& server_;
  const RawUnaryHandler* handler_;
  const ServerCall& site_;
};

// A fire-and-forget message: settled with the handler's result, nothing is answered. Made for
// one message, used on its pool thread.
class ServerImpl::FireAndForgetTail {
 public:
  FireAndForgetTail(ServerImpl& server, const RawFireAndForgetHandler* handler,
                    const ServerCall& site)
      : server_(server), handler_(handler), site_(site) {}

  Status Check(const Message&) const { return OkStatus(); }

  void RefuseOversized(Message&, Settle settle) {
    settle(ConsumeResult::Reject(ResourceExhaustedError("larger than max_message_size")));
  }

  void Serve(Message& message, Settle settle) {
    auto terminal = [&](Message& m) {
      return server_.skeleton_.RunHandler(
          m, [&](ServerContext& context) { return (*handler_)(context, m); });
    };
    server_.Observed(site_, message, [&] {
      ConsumeResult result = server_.skeleton_.RunChain(message, terminal);
      Status status = StatusOfResult(result);
      settle(std::move(result));
      return status;
    });
  }

 private:
  ServerImpl& server_;
  const RawFireAndForgetHandler* handler_;
  const ServerCall& site_;
};

AsyncConsumerHandler ServerImpl::UnaryHandler(const Endpoint& endpoint) {
  const RawUnaryHandler* handler =
      &ServiceAccess::Handlers(*endpoint.service, endpoint.index).unary;
  std::string routing_key(endpoint.method->routing_key);
  ServerCall site{.service = &endpoint.service->spec(), .method = endpoint.method};
  return [this, handler, routing_key, site](Message& request, Settle settle) {
    UnaryTail tail(*this, handler, site);
    skeleton_.Serve(routing_key, tail, request, std::move(settle));
  };
}

AsyncConsumerHandler ServerImpl::FireAndForgetHandler(const Endpoint& endpoint) {
  const RawFireAndForgetHandler* handler =
      &ServiceAccess::Handlers(*endpoint.service, endpoint.index).fire_and_forget;
  std::string routing_key(endpoint.method->routing_key);
  ServerCall site{.service = &endpoint.service->spec(), .method = endpoint.method};
  return [this, handler, routing_key, site](Message& message, Settle settle) {
    FireAndForgetTail tail(*this, handler, site);
    skeleton_.Serve(routing_key, tail, message, std::move(settle));
  };
}

void ServerImpl::SendReply(const Message& request,
                           const std::map<std::string, std::string>& metadata, Message reply,
                           Settle settle) {
  reply.exchange = request.delivery ? request.delivery->exchange : request.exchange;
  reply.routing_key = *request.properties.reply_to;
  reply.properties.correlation_id = request.properties.correlation_id;
  reply.properties.expiration = request.properties.expiration;
  for (const auto& [key, value] : metadata) {
    reply.properties.headers.Set(key, value);
  }
  FillMessageDefaults(&reply);
  std::string where = reply.routing_key;
  // The reply goes out on the request's own channel, followed by the request's ack: the broker
  // routes the reply before it drops the request, so no publisher confirm is needed (see
  // docs/wire-protocol.md, "Reply before ack").
  settle.ReplyAndAck(PublishRequest{.message = std::move(reply), .mandatory = false},
                     [where](const PublishOutcome& o) {
                       if (o.ok()) return;
                       // During an outage every reply fails this way: routine, a debug line.
                       BROKRPC_LOG(o.kind == PublishOutcome::Kind::kConnectionLost
                                       ? LogLevel::kDebug
                                       : LogLevel::kWarning,
                                   "reply to '{}' was not sent: {}", where, o.status.ToString());
                     });
}

void ServerImpl::SendError(const Message& request, const Status& status, Settle settle) {
  Message reply;
  EncodeErrorReply(status, &reply);
  SendReply(request, {}, std::move(reply), std::move(settle));
}

}  // namespace brokrpc::internal
