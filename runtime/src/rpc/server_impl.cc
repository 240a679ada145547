#include "rpc/server_impl.h"

#include <fmt/format.h>

#include "brokrpc/spec/v1/call.pb.h"
#include "log.h"
#include "rpc/wire.h"
#include "uuid.h"

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

// Counts one consumer handler as running for its whole body (see handlers_running_).
class ServerImpl::HandlerScope {
 public:
  explicit HandlerScope(ServerImpl* server) : server_(server) {
    std::lock_guard<std::mutex> lock(server_->handlers_mu_);
    ++server_->handlers_running_;
  }
  ~HandlerScope() {
    // Notified under the lock: the destructor waiting for zero cannot return before we let go.
    std::lock_guard<std::mutex> lock(server_->handlers_mu_);
    if (--server_->handlers_running_ == 0) server_->handlers_cv_.notify_all();
  }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  ServerImpl* server_;
};

ServerImpl::ServerImpl(std::shared_ptr<Broker> broker, ServerOptions options)
    : broker_(std::move(broker)),
      core_(broker_->core()),
      options_(std::move(options)),
      chain_(Concat(core_.options().consumer_middlewares, options_.interceptors)) {}

ServerImpl::~ServerImpl() {
  // Stop at once, but handlers still running use this object: wait for them (their contexts
  // report IsCancelled()). Once every delivery is settled each handler has started; then wait
  // until each has returned, and join the stream threads started meanwhile (their streams were
  // refused or cancelled, see streams_closed_).
  Shutdown(SystemClock::now()).IgnoreError();
  for (auto& e : endpoints_) {
    if (e.consumer) e.consumer->WaitIdle(std::chrono::steady_clock::now() + std::chrono::hours(24));
  }
  WaitHandlersReturned();
  ReapStreamThreads(/*all=*/true);
}

void ServerImpl::WaitHandlersReturned() {
  std::unique_lock<std::mutex> lock(handlers_mu_);
  handlers_cv_.wait(lock, [this] { return handlers_running_ == 0; });
}

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
    if (!h.unary && !h.fire_and_forget && !h.stream) continue;
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
    replies_ = std::make_shared<PublisherImpl>(core_, PublisherOptions{},
                                               MiddlewareChain<Message, Status>{});
  }
  if (Status s = StartStreamQueue(); !s.ok()) return s.WithContext("serve streams");
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
      AsyncConsumerHandler handler;
      switch (e.method->kind) {
        case MethodKind::kUnary:
          handler = UnaryHandler(e);
          break;
        case MethodKind::kFireAndForget:
          handler = FireAndForgetHandler(e);
          break;
        default:
          handler = StreamHandler(e);
          break;
      }
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
  {
    // Running streams may finish until the deadline; then they are cancelled.
    std::unique_lock<std::mutex> lock(streams_mu_);
    bool streams_done =
        streams_cv_.wait_until(lock, ToSteady(deadline), [this] { return running_streams_ == 0; });
    streams_closed_ = true;
    if (!streams_done) {
      // The accepted streams (an opening still under way cancels its own, see StreamHandler).
      std::vector<std::shared_ptr<StreamCore>> running;
      for (const auto& t : stream_threads_) {
        if (auto stream = t.stream.lock()) running.push_back(std::move(stream));
      }
      lock.unlock();
      for (auto& stream : running) stream->Cancel(UnavailableError("the server is shutting down"));
      drained = false;
    }
  }
  if (!drained) {
    std::lock_guard<std::mutex> lock(active_mu_);
    for (ServerContext* ctx : active_) ctx->Cancel();
  }
  ReapStreamThreads(/*all=*/true);
  for (size_t i = 0; i < count; ++i) {
    if (endpoints_[i].consumer) endpoints_[i].consumer->Release();
  }
  if (stream_consumer_ != 0) {
    // Blocking: after it returns no stream envelope reaches this server any more.
    core_.transport().CancelConsumer(stream_consumer_).IgnoreError();
    core_.transport().ReleaseConsumer(stream_consumer_);
    stream_consumer_ = 0;
  }
  if (listener_id_ != 0) {
    core_.transport().RemoveConnectionListener(listener_id_);
    listener_id_ = 0;
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
    HandlerScope running(this);
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
    if (request.delivery && request.delivery->oversized) {
      SendError(request,
                ResourceExhaustedError("the request is larger than the server's "
                                       "max_message_size"),
                settle);
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
    HandlerScope running(this);
    if (auto deadline = RequestDeadline(message); deadline && SystemClock::now() >= *deadline) {
      BROKRPC_LOG_DEBUG("{}: skipping an expired message", routing_key);
      settle(ConsumeResult::Ack());
      return;
    }
    if (message.delivery && message.delivery->oversized) {
      settle(ConsumeResult::Reject(ResourceExhaustedError("larger than max_message_size")));
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

Status ServerImpl::StartStreamQueue() {
  std::vector<const Endpoint*> streaming;
  for (const auto& e : endpoints_) {
    if (e.method->kind != MethodKind::kUnary && e.method->kind != MethodKind::kFireAndForget) {
      streaming.push_back(&e);
    }
  }
  if (streaming.empty() || stream_consumer_ != 0) return OkStatus();
  if (listener_id_ == 0) {
    listener_id_ = core_.transport().AddConnectionListener(
        ConnectionListener{.on_lost = [this](const Status& why) {
          FailStreams(UnavailableError(fmt::format("stream failed: {}", why.message())));
        }});
  }
  auto queue = core_.DeclareQueue(core_.ResolveQueue(
      QueueOptions{.name = "stream." + NewUuidHex(), .exclusive = true, .auto_delete = true}));
  if (!queue.ok()) return queue.status();
  stream_queue_ = *queue;
  std::set<std::string> bound;
  for (const Endpoint* e : streaming) {
    if (!bound.insert(e->exchange.name).second) continue;
    BROKRPC_RETURN_IF_ERROR(core_.DeclareExchange(e->exchange));
    BROKRPC_RETURN_IF_ERROR(
        core_.transport().BindQueue(stream_queue_, e->exchange.name, stream_queue_, {}));
  }
  auto consumer = core_.transport().StartConsumer(ConsumeRequest{
      .queue = stream_queue_,
      .prefetch_count = 0,
      .exclusive = true,
      .on_delivery = [this](Message&& m) { OnStreamEnvelope(std::move(m)); },
      .on_gone =
          [this](Status why) {
            FailStreams(UnavailableError(fmt::format("stream queue lost: {}", why.message())));
          }});
  if (!consumer.ok()) return consumer.status();
  stream_consumer_ = *consumer;
  return OkStatus();
}

void ServerImpl::FailStreams(const Status& why) {
  std::map<std::string, std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    streams = registry_->streams;
  }
  for (auto& [id, stream] : streams) stream->Fail(why);
}

void ServerImpl::OnStreamEnvelope(Message&& message) {
  uint64_t tag = message.delivery ? message.delivery->delivery_tag : 0;
  core_.transport().Settle(stream_consumer_, tag, Settlement::kAck);
  if (!message.properties.correlation_id) return;
  std::shared_ptr<StreamCore> stream;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    auto it = registry_->streams.find(*message.properties.correlation_id);
    if (it != registry_->streams.end()) stream = it->second;
  }
  if (stream) stream->OnEnvelope(message);
}

AsyncConsumerHandler ServerImpl::StreamHandler(const Endpoint& endpoint) {
  const RawStreamHandler* handler = &endpoint.service->handler(endpoint.index).stream;
  std::string routing_key(endpoint.method->routing_key);
  return [this, handler, routing_key](Message& request, Settle settle) {
    HandlerScope running(this);
    spec::v1::StreamRequest env;
    const auto& p = request.properties;
    if (!p.reply_to || !p.correlation_id || !p.type || *p.type != kStreamRequestType ||
        !env.ParseFromString(request.body) || !env.has_start()) {
      BROKRPC_LOG_WARNING("{}: rejecting a message that does not open a stream", routing_key);
      settle(ConsumeResult::Reject(InvalidArgumentError("not a stream opening")));
      return;
    }
    auto deadline = RequestDeadline(request);
    if (deadline && SystemClock::now() >= *deadline) {
      settle(ConsumeResult::Ack());
      return;
    }
    StreamSettings settings{.window = options_.stream_window,
                            .keepalive = options_.stream_keepalive,
                            .deadline = deadline};
    std::string exchange = request.delivery ? request.delivery->exchange : request.exchange;
    auto stream = std::make_shared<StreamCore>(StreamCore::Role::kServer, broker_, replies_,
                                               exchange, settings);
    std::vector<google::protobuf::Any> initial(env.start().payloads().begin(),
                                               env.start().payloads().end());
    // The delivery is settled last: until then the consumer counts this opening as in flight,
    // so a shutdown draining the consumers waits for its thread to be recorded.
    Status refused;
    {
      std::lock_guard<std::mutex> lock(streams_mu_);
      if (streams_closed_) {
        refused = UnavailableError(fmt::format("{}: the server is shutting down", routing_key));
      } else if (running_streams_ >= options_.max_concurrent_streams) {
        refused = ResourceExhaustedError(fmt::format("{}: the server runs {} streams already",
                                                     routing_key, options_.max_concurrent_streams));
      } else {
        ++running_streams_;
      }
    }
    if (refused.ok()) {
      std::lock_guard<std::mutex> lock(registry_->mu);
      registry_->streams[*p.correlation_id] = stream;
    }
    stream->Accept(request, stream_queue_, env.uuid(), std::move(initial), env.start().last(),
                   env.start().window());
    if (!refused.ok()) {
      stream->End(refused);
      settle(ConsumeResult::Ack());
      return;
    }
    std::string id = *p.correlation_id;
    std::weak_ptr<StreamRegistry> registry = registry_;
    stream->set_on_done([registry, id] {
      if (auto r = registry.lock()) {
        std::lock_guard<std::mutex> lock(r->mu);
        r->streams.erase(id);
      }
    });
    ReapStreamThreads(/*all=*/false);
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([this, stream, request, handler, done]() mutable {
      RunStream(std::move(stream), std::move(request), handler);
      *done = true;
    });
    bool cancel;
    {
      std::lock_guard<std::mutex> lock(streams_mu_);
      stream_threads_.push_back(StreamThread{std::move(t), done, stream});
      cancel = streams_closed_;  // a shutdown gave up on the streams while this one opened
    }
    if (cancel) stream->Cancel(UnavailableError("the server is shutting down"));
    settle(ConsumeResult::Ack());
  };
}

void ServerImpl::RunStream(std::shared_ptr<StreamCore> stream, Message request,
                           const RawStreamHandler* handler) {
  ServerContext context(request);
  stream->set_context(&context);
  Track(&context, true);
  Status status;
  ConsumeResult r = Guarded([&] {
    status = (*handler)(context, *stream);
    return ConsumeResult::Ack();
  });
  if (!r.is_ack()) status = r.status();
  Track(&context, false);
  stream->set_context(nullptr);
  stream->End(status);
  std::lock_guard<std::mutex> lock(streams_mu_);
  --running_streams_;
  streams_cv_.notify_all();
}

void ServerImpl::ReapStreamThreads(bool all) {
  std::vector<std::thread> finished;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    for (auto it = stream_threads_.begin(); it != stream_threads_.end();) {
      if (all || it->done->load()) {
        finished.push_back(std::move(it->thread));
        it = stream_threads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& t : finished) {
    if (t.joinable()) t.join();
  }
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
      // During an outage every reply fails this way: routine, so only a debug line then.
      BROKRPC_LOG(s.code() == StatusCode::kUnavailable ? LogLevel::kDebug : LogLevel::kWarning,
                  "reply to '{}' was not confirmed: {}", where, s.ToString());
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
