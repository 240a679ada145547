#include "rpc/channel_impl.h"

#include <fmt/format.h>

#include <future>

#include "base/uuid.h"
#include "rpc/call_preparation.h"
#include "rpc/context_access.h"
#include "rpc/wire.h"

namespace brokrpc::internal {
namespace {

// Adds which method failed to a failed publish (e.g. an unroutable request).
Status CallFailure(const MethodSpec& method, const PublishOutcome& o) {
  if (o.unroutable()) {
    return UnavailableError(
        fmt::format("no server is consuming {}: {}", method.routing_key, o.status.message()));
  }
  return o.status;
}

// `done` moved onto the handler pool (run inline when the pool no longer takes work).
UnaryDone OnPool(ThreadPool* pool, UnaryDone done) {
  return [pool, done = std::move(done)](Status s, Message* reply) {
    auto task = [done, s = std::move(s),
                 r = reply != nullptr
                         ? std::make_shared<Message>(std::move(*reply))
                         : std::shared_ptr<Message>()]() mutable { done(std::move(s), r.get()); };
    if (!pool->Post(task)) task();
  };
}

}  // namespace

ChannelImpl::ChannelImpl(std::shared_ptr<Broker> broker, ChannelOptions options)
    : broker_(std::move(broker)),
      core_(BrokerAccess::Core(*broker_)),
      options_(std::move(options)),
      observers_(std::make_shared<const CallObservers>(options_.interceptors)),
      opening_interceptors_(CallObservers::Others(options_.interceptors)),
      publisher_(std::make_shared<PublisherImpl>(core_, PublisherOptions{},
                                                 MiddlewareChain<Message, Status>{})),
      router_(std::make_shared<ReplyRouter>(broker_)) {}

ChannelImpl::~ChannelImpl() = default;

Status ChannelImpl::Connect() { return router_->Ensure().status(); }

Status ChannelImpl::EnsureExchange(const ResolvedExchange& exchange,
                                   const ReplyRouter::ReplyQueue* reply_queue) {
  {
    std::lock_guard<std::mutex> lock(exchanges_mu_);
    if (exchanges_ready_.count(exchange.name) == 0) {
      BROKRPC_RETURN_IF_ERROR(core_.DeclareExchange(exchange));
      exchanges_ready_.insert(exchange.name);
    }
  }
  if (reply_queue != nullptr) return router_->Bind(*reply_queue, exchange.name);
  return OkStatus();
}

Status ChannelImpl::CheckNotBlocked(const ClientContext& ctx) const {
  if (ctx.wait_for_ready()) return OkStatus();  // it waits with the broker, until its deadline
  std::optional<std::string> reason = core_.transport().blocked_reason();
  if (!reason) return OkStatus();
  return UnavailableError(
      fmt::format("the broker blocks publishing on this connection ({}); nothing was sent (set "
                  "wait_for_ready to wait for it)",
                  *reason));
}

Status ChannelImpl::CheckConnected(ClientContext* ctx, SystemClock::time_point deadline) {
  BROKRPC_RETURN_IF_ERROR(CheckNotBlocked(*ctx));
  // The broker refused the reconnect: the transport no longer retries, nothing to wait for.
  if (!broker_->is_connected()) BROKRPC_RETURN_IF_ERROR(core_.transport().refusal());
  // Up, or the first call (which connects).
  if (broker_->is_connected() || router_->current() == nullptr) return OkStatus();
  // An outage (the transport is reconnecting): fail at once, or wait when asked to.
  if (!ctx->wait_for_ready()) {
    return UnavailableError(
        fmt::format("the connection to {} is down (reconnecting)", broker_->redacted_url()));
  }
  if (!router_->WaitUntilConnected(deadline)) {
    return DeadlineExceededError("deadline exceeded waiting for the broker to come back");
  }
  if (!broker_->is_connected()) return core_.transport().refusal();
  return OkStatus();
}

// ---------------------------------------------------------------- unary calls

bool ChannelImpl::MustWaitForReconnect(const ClientContext& ctx) const {
  return ctx.wait_for_ready() && !broker_->is_connected() && router_->current() != nullptr &&
         core_.transport().refusal().ok();
}

void ChannelImpl::StartAttempt(ClientCall& call, bool may_block, AttemptDone done) {
  const MethodSpec& method = *call.method;
  ClientContext* ctx = call.context;
  if (ctx->IsCancelled()) return done(CancelledError("the call was cancelled"), nullptr, false);
  if (!may_block && ctx->deadline() && MustWaitForReconnect(*ctx)) {
    // An asynchronous call waits for the reconnect without holding a thread; it starts (or
    // fails at its deadline) when the connection is settled.
    std::weak_ptr<ChannelImpl> weak = weak_from_this();
    ClientCall* held = &call;  // kept alive by the attempts, which `done` holds
    // The cancel hook first: once the waiter exists, the call may end (and its context go)
    // on another thread at any time.
    const uint64_t id = router_->ReserveWaiter();
    std::weak_ptr<ReplyRouter> router = router_;
    ClientContextAccess::SetCancelHook(*ctx, [router, id] {
      if (auto r = router.lock()) r->CancelWaiting(id);
    });
    router_->WhenConnected(
        id, *ctx->deadline(), [weak, held, done = std::move(done)](bool settled) mutable {
          auto self = weak.lock();
          if (!self) return done(CancelledError("the channel was destroyed"), nullptr, false);
          if (held->context->IsCancelled()) {
            return done(CancelledError("the call was cancelled"), nullptr, false);
          }
          if (!settled) {
            return done(
                DeadlineExceededError("deadline exceeded waiting for the broker to come back"),
                nullptr, false);
          }
          self->StartAttempt(*held, false, std::move(done));
        });
    return;
  }
  if (method.kind != MethodKind::kUnary) {
    return done(InvalidArgumentError(fmt::format("{} is not a unary method", method.routing_key)),
                nullptr, false);
  }
  auto prepared = PrepareCall(*call.service, *ctx, core_.ResolveExchange(call.service->exchange),
                              options_.default_timeout);
  if (!prepared.ok()) return done(prepared.status(), nullptr, false);
  ClientContextAccess::SetSentTraceContext(*ctx, prepared->trace);
  ApplyPreparedCall(*prepared, method, &call.request);
  const SystemClock::time_point deadline = *prepared->deadline;
  Status s = CheckConnected(ctx, deadline);
  std::shared_ptr<const ReplyRouter::ReplyQueue> queue;  // this attempt's snapshot
  if (s.ok()) {
    auto ensured = router_->Ensure();
    if (ensured.ok()) {
      queue = *std::move(ensured);
    } else {
      s = ensured.status();
    }
  }
  if (s.ok()) s = EnsureExchange(prepared->exchange, queue.get());
  if (!s.ok()) return done(s, nullptr, false);
  if (SystemClock::now() >= deadline) {
    return done(DeadlineExceededError("the deadline passed before the call started"), nullptr,
                false);
  }

  std::string id = NewUuidHex();
  ClientContextAccess::SetCorrelationId(*ctx, id);
  Message& m = call.request;
  m.properties.correlation_id = id;
  m.properties.reply_to = queue->name;
  FillMessageDefaults(&m);

  std::weak_ptr<ReplyRouter> weak = router_;
  router_->AddCall(id, ctx, deadline, std::move(done));
  ClientContextAccess::SetCancelHook(*ctx, [weak, id] {
    if (auto router = weak.lock()) {
      router->Finish(id, CancelledError("cancelled by the client"), nullptr);
    }
  });
  const MethodSpec* method_ptr = &method;
  publisher_->PublishRaw(std::move(m), true, [weak, id, method_ptr](const PublishOutcome& o) {
    if (o.ok()) return;
    if (auto router = weak.lock()) {
      router->Finish(id, CallFailure(*method_ptr, o), nullptr, o.unroutable());
    }
  });
}

void ChannelImpl::ScheduleRetry(std::chrono::milliseconds delay, std::function<void()> next) {
  // An attempt may block (declare the reply queue, wait for the broker): not on the timer thread.
  ThreadPool* pool = &core_.pool();
  core_.timers().ScheduleAfter(delay, [pool, next = std::move(next)] {
    if (!pool->Post(next)) next();
  });
}

Status ChannelImpl::RunSync(ClientCall& call) {
  SyncWaiter waiter(&core_.transport());
  CallAttempts::Run(weak_from_this(), &call, nullptr, /*may_block=*/true, options_.retry_policy,
                    options_.default_timeout, waiter.schedule(), waiter.done());
  return waiter.Wait();
}

Status ChannelImpl::CallUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                              Message request, Message* reply) {
  if (core_.transport().OnTransportThread()) {
    return FailedPreconditionError("a blocking call was made on the connection's I/O thread");
  }
  ClientCall call{.service = &service,
                  .method = &service.methods.at(method),
                  .context = context,
                  .request = std::move(request)};
  if (!options_.interceptors.empty()) call.started = std::chrono::steady_clock::now();
  Status s = RunChain(options_.interceptors, call, [this](ClientCall& c) { return RunSync(c); });
  if (reply != nullptr) *reply = std::move(call.response);
  return s;
}

void ChannelImpl::StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                             Message request, UnaryDone done, bool on_pool) {
  auto call = std::make_shared<ClientCall>(ClientCall{.service = &service,
                                                      .method = &service.methods.at(method),
                                                      .context = context,
                                                      .request = std::move(request)});
  ThreadPool* pool = &core_.pool();
  if (!options_.interceptors.empty()) call->started = std::chrono::steady_clock::now();
  if (!options_.interceptors.empty() && !observers_->only_observers()) {
    // Interceptors that wrap `next` are synchronous: the chain runs on a pool thread, and so
    // does `done`.
    auto self = shared_from_this();
    auto task = [self, call, done = std::move(done)]() {
      Status s = RunChain(self->options_.interceptors, *call,
                          [&](ClientCall& c) { return self->RunSync(c); });
      done(std::move(s), &call->response);
    };
    if (!pool->Post(task)) task();
    return;
  }
  if (observers_->only_observers()) {
    Status started = observers_->Start(*call);
    if (!started.ok()) {
      if (on_pool) done = OnPool(pool, std::move(done));
      return done(std::move(started), nullptr);
    }
    done = [self = shared_from_this(), call, done = std::move(done)](Status s, Message* reply) {
      self->observers_->Done(*call, s);
      done(std::move(s), reply);
    };
  }
  if (on_pool) done = OnPool(pool, std::move(done));
  std::weak_ptr<ChannelImpl> weak = weak_from_this();
  CallAttempts::Run(
      weak, call.get(), call, /*may_block=*/false, options_.retry_policy, options_.default_timeout,
      [weak](std::chrono::milliseconds delay, std::function<void()> next) {
        if (auto self = weak.lock()) return self->ScheduleRetry(delay, std::move(next));
        next();  // ends the call: the channel is gone
      },
      std::move(done));
}

// ---------------------------------------------------------------- fire-and-forget

Status ChannelImpl::Publish(const ServiceSpec& service, size_t method, ClientContext* context,
                            Message message) {
  if (core_.transport().OnTransportThread()) {
    return FailedPreconditionError("a blocking publish was made on the connection's I/O thread");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  StartPublish(service, method, context, std::move(message),
               [promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

void ChannelImpl::StartPublish(const ServiceSpec& service, size_t method_index,
                               ClientContext* context, Message message,
                               std::function<void(Status)> done) {
  const MethodSpec& method = service.methods.at(method_index);
  ClientCall call{
      .service = &service, .method = &method, .context = context, .request = std::move(message)};
  // With observers only, the call outlives this function: they see the confirm's outcome.
  std::shared_ptr<ClientCall> held;
  auto terminal = [&](ClientCall& c) -> Status {
    if (c.context->IsCancelled()) return CancelledError("the call was cancelled");
    BROKRPC_RETURN_IF_ERROR(CheckNotBlocked(*c.context));
    // A fire-and-forget message carries an expiration (and x-brokrpc-deadline) only when the
    // caller set a deadline: without one it waits in the queue for as long as it takes.
    auto prepared = PrepareCall(*c.service, *c.context, core_.ResolveExchange(c.service->exchange),
                                std::nullopt);
    BROKRPC_RETURN_IF_ERROR(prepared.status());
    ClientContextAccess::SetSentTraceContext(*c.context, prepared->trace);
    ApplyPreparedCall(*prepared, *c.method, &c.request);
    if (!broker_->is_connected()) BROKRPC_RETURN_IF_ERROR(broker_->Connect());
    BROKRPC_RETURN_IF_ERROR(EnsureExchange(prepared->exchange, nullptr));
    FillMessageDefaults(&c.request);
    // A durable server queue keeps what it was given across broker restarts only when the
    // message is persistent: then a confirmed fire-and-forget message is never lost.
    if (c.method->queue.durable.value_or(false) && !c.request.properties.delivery_mode) {
      c.request.properties.delivery_mode = DeliveryMode::kPersistent;
    }
    const MethodSpec* m = c.method;
    publisher_->PublishRaw(std::move(c.request), true, [done, m, held](const PublishOutcome& o) {
      if (held) held->unroutable = o.unroutable();
      done(CallFailure(*m, o));
    });
    done = nullptr;
    return OkStatus();
  };
  if (!options_.interceptors.empty()) call.started = std::chrono::steady_clock::now();
  if (observers_->only_observers()) {
    held = std::make_shared<ClientCall>(std::move(call));
    Status started = observers_->Start(*held);
    if (!started.ok()) return done(std::move(started));
    done = [self = shared_from_this(), held, done = std::move(done)](Status s) {
      self->observers_->Done(*held, s);
      done(std::move(s));
    };
    Status s = terminal(*held);
    if (done) done(s);
    return;
  }
  Status s = RunChain(options_.interceptors, call, terminal);
  if (done) done(s);
}

// ---------------------------------------------------------------- streams

std::shared_ptr<StreamCore> ChannelImpl::OpenStream(const ServiceSpec& service, size_t method_index,
                                                    ClientContext* context,
                                                    const google::protobuf::Message* initial,
                                                    bool last) {
  const MethodSpec& method = service.methods.at(method_index);
  StreamSettings settings{.window = options_.stream_window,
                          .keepalive = options_.stream_keepalive,
                          .deadline = context->deadline()};
  auto stream =
      std::make_shared<StreamCore>(StreamCore::Role::kClient, broker_, publisher_,
                                   core_.ResolveExchange(service.exchange).name, settings);
  if (method.kind == MethodKind::kUnary || method.kind == MethodKind::kFireAndForget) {
    stream->Fail(
        InvalidArgumentError(fmt::format("{} is not a streaming method", method.routing_key)));
    return stream;
  }
  ClientCall call{.service = &service, .method = &method, .context = context};
  if (options_.interceptors.empty()) {
    if (Status s = SendOpening(*stream, call, initial, last, nullptr); !s.ok()) stream->Fail(s);
    return stream;
  }
  // The observers watch the whole stream (OnDone when it ends); the other interceptors wrap
  // only the sending of its opening.
  call.started = std::chrono::steady_clock::now();
  std::shared_ptr<ClientStreamWatcher> watcher;
  ClientCall* observed = &call;
  if (!observers_->empty()) {
    watcher = std::make_shared<ClientStreamWatcher>(observers_, std::move(call));
    observed = &watcher->call();
    if (Status s = observers_->Start(*observed); !s.ok()) {
      stream->Fail(s);
      return stream;
    }
  }
  bool sent = false;
  Status s = RunChain(opening_interceptors_, *observed, [&](ClientCall& c) -> Status {
    if (sent) return FailedPreconditionError("an interceptor sent a stream's opening twice");
    Status opened = SendOpening(*stream, c, initial, last, watcher);
    sent = opened.ok();
    return opened;
  });
  if (s.ok() && !sent) {
    s = InternalError(fmt::format(
        "{}: an interceptor returned OK without sending the stream's opening", method.routing_key));
  }
  if (s.ok()) return stream;
  if (sent) {
    stream->Cancel(s);  // an interceptor failed the call after its opening went out
  } else {
    if (watcher) observers_->Done(*observed, s);
    stream->Fail(s);
  }
  return stream;
}

Status ChannelImpl::SendOpening(StreamCore& stream, ClientCall& call,
                                const google::protobuf::Message* initial, bool last,
                                std::shared_ptr<StreamWatcher> watcher) {
  ClientContext* context = call.context;
  if (context->IsCancelled()) return CancelledError("the call was cancelled");
  BROKRPC_RETURN_IF_ERROR(CheckNotBlocked(*context));
  // A stream's deadline travels in its envelopes (StreamSettings), not as an expiration.
  auto prepared = PrepareCall(*call.service, *context,
                              core_.ResolveExchange(call.service->exchange), std::nullopt);
  BROKRPC_RETURN_IF_ERROR(prepared.status());
  ClientContextAccess::SetSentTraceContext(*context, prepared->trace);
  auto queue = router_->Ensure();
  BROKRPC_RETURN_IF_ERROR(queue.status());
  BROKRPC_RETURN_IF_ERROR(EnsureExchange(prepared->exchange, queue->get()));
  std::vector<google::protobuf::Any> payloads;
  if (initial != nullptr) payloads.emplace_back().PackFrom(*initial);
  std::shared_ptr<StreamCore> self = stream.shared_from_this();
  router_->AddStream(self);
  ClientContextAccess::SetCorrelationId(*context, stream.id_hex());
  std::weak_ptr<StreamCore> weak_stream = self;
  ClientContextAccess::SetCancelHook(*context, [weak_stream] {
    if (auto s = weak_stream.lock()) s->Cancel(CancelledError("cancelled by the client"));
  });
  // Headers the interceptors added, then the metadata and trace context.
  FieldTable headers = call.request.properties.headers;
  for (const auto& [key, value] : prepared->headers) headers.Set(key, value);
  if (watcher) stream.set_watcher(std::move(watcher));
  stream.Open(std::string(call.method->routing_key), (*queue)->name, headers, std::move(payloads),
              last);
  return OkStatus();
}

}  // namespace brokrpc::internal
