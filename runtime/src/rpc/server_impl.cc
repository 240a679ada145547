#include "rpc/server_impl.h"

#include <fmt/format.h>

#include "log.h"
#include "rpc/wire.h"

namespace brokrpc::internal {
namespace {

std::chrono::steady_clock::time_point ToSteady(SystemClock::time_point t) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(t - SystemClock::now());
}

template <typename F>
ConsumeResult Guarded(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return ConsumeResult::Failed(InternalError(e.what()));
  } catch (...) {
    return ConsumeResult::Failed(InternalError("the handler threw a non-std exception"));
  }
}

}  // namespace

ServerImpl::ServerImpl(std::shared_ptr<Broker> broker, ServerOptions options)
    : broker_(std::move(broker)),
      core_(broker_->core()),
      options_(std::move(options)),
      chain_(Concat(core_.options().consumer_middlewares, options_.interceptors)) {}

ServerImpl::~ServerImpl() { Shutdown(SystemClock::now()).IgnoreError(); }

bool ServerImpl::is_running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::kRunning;
}

Status ServerImpl::RegisterService(Service* service) {
  if (service == nullptr) return InvalidArgumentError("RegisterService: the service is null");
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kIdle) {
    return FailedPreconditionError("RegisterService: the server has already been started");
  }
  const ServiceSpec& spec = service->spec();
  ResolvedExchange exchange = core_.ResolveExchange(spec.exchange);
  if (exchange.name.empty()) {
    return InvalidArgumentError(
        fmt::format("service {}: no exchange name (RabbitMQ refuses to declare or bind the default "
                    "exchange); set the (brokrpc.spec.v1.exchange) option or "
                    "BrokerOptions::default_exchange.name",
                    spec.full_name));
  }
  std::vector<Endpoint> added;
  for (size_t i = 0; i < spec.methods.size(); ++i) {
    const MethodSpec& m = spec.methods[i];
    const Service::Handler& h = service->handler(i);
    if (!h.unary && !h.fire_and_forget) continue;
    for (const auto& e : endpoints_) {
      if (e.method->routing_key == m.routing_key && e.exchange.name == exchange.name) {
        return InvalidArgumentError(
            fmt::format("service {}: {} is already served", spec.full_name, m.routing_key));
      }
    }
    QueueOptions queue = m.queue;
    if (!queue.name) queue.name = std::string(m.routing_key);
    Endpoint e;
    e.service = service;
    e.index = i;
    e.method = &m;
    e.exchange = exchange;
    e.queue = core_.ResolveQueue(queue);
    e.prefetch =
        MergeOptions(core_.options().default_queue, queue)
            .prefetch_count.value_or(options_.prefetch_count.value_or(kDefaultPrefetchCount));
    added.push_back(std::move(e));
  }
  for (auto& e : added) endpoints_.push_back(std::move(e));
  return OkStatus();
}

Status ServerImpl::Start() {
  std::unique_lock<std::mutex> lock(mu_);
  if (state_ == State::kRunning) return OkStatus();
  if (state_ != State::kIdle) return FailedPreconditionError("Start: the server was shut down");
  if (!broker_->is_connected()) BROKRPC_RETURN_IF_ERROR(broker_->Connect());
  if (!replies_) {
    replies_ = std::make_unique<PublisherImpl>(core_, PublisherOptions{},
                                               MiddlewareChain<Message, Status>{});
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    Endpoint& e = endpoints_[i];
    std::string what = fmt::format("serve {}", e.method->routing_key);
    Status s = core_.DeclareExchange(e.exchange);
    StatusOr<std::string> queue = s.ok() ? core_.DeclareQueue(e.queue) : StatusOr<std::string>(s);
    if (queue.ok()) {
      s = core_.transport().BindQueue(*queue, e.exchange.name, std::string(e.method->routing_key),
                                      {});
    } else {
      s = queue.status();
    }
    if (s.ok()) {
      AsyncConsumerHandler handler =
          e.method->kind == MethodKind::kFireAndForget ? FireAndForgetHandler(e) : UnaryHandler(e);
      e.consumer = std::make_shared<ConsumerImpl>(core_, *queue, std::move(handler));
      s = e.consumer->Start(e.prefetch, false);
    }
    if (!s.ok()) {
      lock.unlock();
      StopEndpoints(i, SystemClock::now());
      return s.WithContext(what);
    }
  }
  state_ = State::kRunning;
  return OkStatus();
}

void ServerImpl::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  state_cv_.wait(lock, [this] { return state_ == State::kStopped || state_ == State::kIdle; });
}

void ServerImpl::StopEndpoints(size_t count, SystemClock::time_point deadline) {
  for (size_t i = 0; i < count; ++i) {
    if (endpoints_[i].consumer) endpoints_[i].consumer->StopDeliveries().IgnoreError();
  }
  bool drained = true;
  for (size_t i = 0; i < count; ++i) {
    if (endpoints_[i].consumer) drained &= endpoints_[i].consumer->WaitIdle(ToSteady(deadline));
  }
  if (!drained) {
    std::lock_guard<std::mutex> lock(active_mu_);
    for (ServerContext* ctx : active_) ctx->Cancel();
  }
  for (size_t i = 0; i < count; ++i) {
    if (endpoints_[i].consumer) endpoints_[i].consumer->Release();
  }
}

Status ServerImpl::Shutdown(SystemClock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kIdle) {
      state_ = State::kStopped;
      state_cv_.notify_all();
      return OkStatus();
    }
    if (state_ != State::kRunning) return OkStatus();
    state_ = State::kStopping;
  }
  StopEndpoints(endpoints_.size(), deadline);
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kStopped;
  }
  state_cv_.notify_all();
  return OkStatus();
}

void ServerImpl::Track(ServerContext* context, bool active) {
  std::lock_guard<std::mutex> lock(active_mu_);
  if (active) {
    active_.insert(context);
  } else {
    active_.erase(context);
  }
}

AsyncConsumerHandler ServerImpl::UnaryHandler(const Endpoint& endpoint) {
  const RawUnaryHandler* handler = &endpoint.service->handler(endpoint.index).unary;
  std::string routing_key(endpoint.method->routing_key);
  return [this, handler, routing_key](Message& request, Settle settle) {
    if (!request.properties.reply_to || !request.properties.correlation_id) {
      BROKRPC_LOG_WARNING("{}: rejecting a request without reply_to or correlation_id",
                          routing_key);
      settle(ConsumeResult::Reject(InvalidArgumentError("no reply_to or correlation_id")));
      return;
    }
    if (auto deadline = RequestDeadline(request); deadline && SystemClock::now() >= *deadline) {
      BROKRPC_LOG_DEBUG("{}: skipping request {}: its deadline has passed", routing_key,
                        *request.properties.correlation_id);
      settle(ConsumeResult::Ack());
      return;
    }
    bool replied = false;
    // The context is made from the request as the interceptors left it.
    auto terminal = [&](Message& req) -> ConsumeResult {
      ServerContext context(req);
      Track(&context, true);
      Message reply;
      Status status;
      ConsumeResult r = Guarded([&] {
        status = (*handler)(context, req, &reply);
        return ConsumeResult::Ack();
      });
      Track(&context, false);
      if (!r.is_ack()) return r;
      if (!status.ok()) return ConsumeResult::Failed(status);
      SendReply(request, context.response_metadata(), std::move(reply), settle);
      replied = true;
      return ConsumeResult::Ack();
    };
    ConsumeResult result = Guarded([&] { return RunChain(chain_, request, terminal); });
    if (replied) return;
    if (result.kind() == ConsumeResult::Kind::kFailed) {
      SendError(request, result.status(), settle);
    } else {
      settle(result);
    }
  };
}

AsyncConsumerHandler ServerImpl::FireAndForgetHandler(const Endpoint& endpoint) {
  const RawFireAndForgetHandler* handler =
      &endpoint.service->handler(endpoint.index).fire_and_forget;
  std::string routing_key(endpoint.method->routing_key);
  return [this, handler, routing_key](Message& message, Settle settle) {
    if (auto deadline = RequestDeadline(message); deadline && SystemClock::now() >= *deadline) {
      BROKRPC_LOG_DEBUG("{}: skipping an expired message", routing_key);
      settle(ConsumeResult::Ack());
      return;
    }
    auto terminal = [&](Message& m) {
      ServerContext context(m);
      Track(&context, true);
      ConsumeResult r = Guarded([&] { return (*handler)(context, m); });
      Track(&context, false);
      return r;
    };
    settle(Guarded([&] { return RunChain(chain_, message, terminal); }));
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
  replies_->PublishRaw(std::move(reply), false, [settle, where](Status s) {
    if (!s.ok()) {
      BROKRPC_LOG_WARNING("reply to '{}' was not confirmed: {}", where, s.ToString());
    }
    settle(ConsumeResult::Ack());
  });
}

void ServerImpl::SendError(const Message& request, const Status& status, Settle settle) {
  Message reply;
  EncodeErrorReply(status, &reply);
  SendReply(request, {}, std::move(reply), std::move(settle));
}

}  // namespace brokrpc::internal

namespace brokrpc {

Server::Server(std::shared_ptr<Broker> broker, ServerOptions options)
    : impl_(std::make_unique<internal::ServerImpl>(std::move(broker), std::move(options))) {}
Server::~Server() = default;
Status Server::RegisterService(Service* service) { return impl_->RegisterService(service); }
Status Server::Start() { return impl_->Start(); }
void Server::Wait() { impl_->Wait(); }
Status Server::Run() {
  BROKRPC_RETURN_IF_ERROR(Start());
  Wait();
  return OkStatus();
}
Status Server::Shutdown(std::chrono::system_clock::time_point deadline) {
  return impl_->Shutdown(deadline);
}
bool Server::is_running() const { return impl_->is_running(); }

}  // namespace brokrpc
