#include "rpc/channel_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "log.h"
#include "rpc/wire.h"
#include "uuid.h"

namespace brokrpc::internal {
namespace {

std::chrono::steady_clock::time_point ToSteady(SystemClock::time_point t) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(t - SystemClock::now());
}

// Adds which method failed to a failed publish (e.g. an unroutable request).
Status CallFailure(const MethodSpec& method, const PublishOutcome& o) {
  if (o.unroutable()) {
    return UnavailableError(
        fmt::format("no server is consuming {}: {}", method.routing_key, o.status.message()));
  }
  return o.status;
}

}  // namespace

ChannelImpl::ChannelImpl(std::shared_ptr<Broker> broker, ChannelOptions options)
    : broker_(std::move(broker)),
      core_(broker_->core()),
      options_(std::move(options)),
      publisher_(std::make_shared<PublisherImpl>(core_, PublisherOptions{},
                                                 MiddlewareChain<Message, Status>{})) {}

ChannelImpl::~ChannelImpl() {
  if (listener_id_ != 0) core_.transport().RemoveConnectionListener(listener_id_);
  std::unordered_map<std::string, std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    streams.swap(streams_);
  }
  for (auto& [id, stream] : streams) stream->Cancel(CancelledError("the channel was destroyed"));
  if (reply_consumer_ != 0) core_.transport().ReleaseConsumer(reply_consumer_);
  std::unordered_map<std::string, Pending> calls;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    calls.swap(calls_);
  }
  for (auto& [id, p] : calls) {
    if (p.timer) core_.timers().Cancel(p.timer);
    if (p.context) p.context->SetCancelHook(nullptr);
    p.done(CancelledError("the channel was destroyed"), nullptr, false);
  }
}

Status ChannelImpl::Connect() {
  BROKRPC_RETURN_IF_ERROR(EnsureReplyQueue());
  return OkStatus();
}

// ---------------------------------------------------------------- setup

Status ChannelImpl::EnsureReplyQueue() {
  if (reply_ready_.load(std::memory_order_acquire)) return OkStatus();
  std::lock_guard<std::mutex> lock(setup_mu_);
  if (reply_ready_.load()) return OkStatus();
  if (!broker_->is_connected()) {
    Status connected = broker_->Connect();
    if (!connected.ok()) return connected;
  }
  if (listener_id_ == 0) {
    std::weak_ptr<ChannelImpl> weak = weak_from_this();
    listener_id_ = core_.transport().AddConnectionListener(
        ConnectionListener{.on_lost =
                               [weak](const Status& why) {
                                 if (auto self = weak.lock()) self->FailPending(why);
                               },
                           .on_restored =
                               [weak] {
                                 if (auto self = weak.lock()) self->ready_cv_.notify_all();
                               }});
  }
  if (reply_consumer_ != 0) {
    core_.transport().ReleaseConsumer(reply_consumer_);
    reply_consumer_ = 0;
  }
  std::string name = std::string(kReplyQueuePrefix) + NewUuidHex();
  auto declared = core_.DeclareQueue(
      core_.ResolveQueue(QueueOptions{.name = name, .exclusive = true, .auto_delete = true}));
  if (!declared.ok()) return declared.status().WithContext("declare the reply queue");
  std::weak_ptr<ChannelImpl> weak = weak_from_this();
  auto consumer =
      core_.transport().StartConsumer(ConsumeRequest{.queue = *declared,
                                                     .prefetch_count = 0,
                                                     .exclusive = true,
                                                     .no_ack = true,
                                                     .on_delivery =
                                                         [weak](Message&& m) {
                                                           if (auto self = weak.lock())
                                                             self->OnReply(std::move(m));
                                                         },
                                                     .on_gone =
                                                         [weak](Status why) {
                                                           if (auto self = weak.lock())
                                                             self->OnReplyQueueLost(why);
                                                         }});
  if (!consumer.ok()) return consumer.status().WithContext("consume the reply queue");
  reply_queue_ = *declared;
  reply_consumer_ = *consumer;
  exchanges_bound_.clear();
  reply_ready_.store(true, std::memory_order_release);
  return OkStatus();
}

Status ChannelImpl::EnsureExchange(const ResolvedExchange& exchange, bool bind_reply_queue) {
  std::lock_guard<std::mutex> lock(setup_mu_);
  if (exchanges_ready_.count(exchange.name) == 0) {
    BROKRPC_RETURN_IF_ERROR(core_.DeclareExchange(exchange));
    exchanges_ready_.insert(exchange.name);
  }
  if (bind_reply_queue && exchanges_bound_.count(exchange.name) == 0) {
    BROKRPC_RETURN_IF_ERROR(
        core_.transport().BindQueue(reply_queue_, exchange.name, reply_queue_, {}));
    exchanges_bound_.insert(exchange.name);
  }
  return OkStatus();
}

void ChannelImpl::OnReplyQueueLost(const Status& why) {
  {
    // The next call declares a new reply queue (and binds it again).
    std::lock_guard<std::mutex> lock(setup_mu_);
    reply_ready_ = false;
    exchanges_bound_.clear();
  }
  FailPending(why.WithContext("the reply queue is gone"));
}

bool ChannelImpl::WaitForReady(SystemClock::time_point deadline) {
  std::unique_lock<std::mutex> lock(setup_mu_);
  return ready_cv_.wait_until(lock, ToSteady(deadline), [this] { return broker_->is_connected(); });
}

void ChannelImpl::FailPending(const Status& why) {
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    for (auto& [id, p] : calls_) ids.push_back(id);
    for (auto& [id, stream] : streams_) streams.push_back(stream);
  }
  for (auto& stream : streams) {
    stream->Fail(UnavailableError(fmt::format("stream failed: {}", why.message())));
  }
  for (const auto& id : ids) {
    Finish(id, UnavailableError(fmt::format("call failed: {}", why.message())), nullptr);
  }
}

// ---------------------------------------------------------------- calls

Status ChannelImpl::Prepare(ClientCall& call, bool default_deadline, ResolvedExchange* exchange,
                            std::optional<SystemClock::time_point>* deadline) {
  const ServiceSpec& service = *call.service;
  for (const auto& [key, value] : call.context->metadata()) {
    if (key.rfind(kReservedHeaderPrefix, 0) == 0) {
      return InvalidArgumentError(
          fmt::format("metadata key '{}' is reserved (prefix x-brokrpc-)", key));
    }
    call.request.properties.headers.Set(key, value);
  }
  *exchange = core_.ResolveExchange(service.exchange);
  if (exchange->name.empty()) {
    return FailedPreconditionError(
        fmt::format("service {}: no exchange name (RabbitMQ refuses the default exchange); set the "
                    "(brokrpc.spec.v1.exchange) option or BrokerOptions::default_exchange.name",
                    service.full_name));
  }
  *deadline = call.context->deadline();
  if (!*deadline && default_deadline) *deadline = SystemClock::now() + options_.default_timeout;
  call.request.exchange = exchange->name;
  call.request.routing_key = std::string(call.method->routing_key);
  if (*deadline) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(**deadline - SystemClock::now());
    call.request.set_ttl(remaining);
    call.request.properties.headers.Set(std::string(kDeadlineHeader),
                                        FieldValue(ToEpochMillis(**deadline)));
  }
  return OkStatus();
}

void ChannelImpl::StartCall(ClientCall& call, bool use_timer, Completion done) {
  const MethodSpec& method = *call.method;
  ClientContext* ctx = call.context;
  if (ctx->IsCancelled()) return done(CancelledError("the call was cancelled"), nullptr, false);
  if (method.kind != MethodKind::kUnary) {
    return done(InvalidArgumentError(fmt::format("{} is not a unary method", method.routing_key)),
                nullptr, false);
  }
  ResolvedExchange exchange;
  std::optional<SystemClock::time_point> prepared_deadline;
  Status s = Prepare(call, /*default_deadline=*/true, &exchange, &prepared_deadline);
  const SystemClock::time_point deadline = prepared_deadline.value_or(SystemClock::now());
  if (s.ok()) s = CheckConnected(ctx, deadline);
  if (s.ok()) s = EnsureReplyQueue();
  if (s.ok()) s = EnsureExchange(exchange, true);
  if (!s.ok()) return done(s, nullptr, false);
  if (SystemClock::now() >= deadline) {
    return done(DeadlineExceededError("the deadline passed before the call started"), nullptr,
                false);
  }

  std::string id = NewUuidHex();
  ctx->set_correlation_id(id);
  Message& m = call.request;
  m.properties.correlation_id = id;
  m.properties.reply_to = reply_queue_;
  FillMessageDefaults(&m);

  std::weak_ptr<ChannelImpl> weak = weak_from_this();
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    Pending& p = calls_[id];
    p.done = std::move(done);
    p.context = ctx;
    if (use_timer) {
      p.timer = core_.timers().ScheduleAt(ToSteady(deadline), [weak, id] {
        if (auto self = weak.lock()) {
          self->Finish(id, DeadlineExceededError("deadline exceeded waiting for the reply"),
                       nullptr);
        }
      });
    }
  }
  ctx->SetCancelHook([weak, id] {
    if (auto self = weak.lock())
      self->Finish(id, CancelledError("cancelled by the client"), nullptr);
  });
  const MethodSpec* method_ptr = &method;
  publisher_->PublishRaw(std::move(m), true, [weak, id, method_ptr](const PublishOutcome& o) {
    if (o.ok()) return;
    if (auto self = weak.lock()) {
      self->Finish(id, CallFailure(*method_ptr, o), nullptr, o.unroutable());
    }
  });
}

Status ChannelImpl::CheckConnected(ClientContext* ctx, SystemClock::time_point deadline) {
  if (broker_->is_connected() || reply_consumer_ == 0) return OkStatus();  // up, or first call
  // An outage (the transport is reconnecting): fail at once, or wait when asked to.
  if (!ctx->wait_for_ready()) {
    return UnavailableError(
        fmt::format("the connection to {} is down (reconnecting)", broker_->redacted_url()));
  }
  if (!WaitForReady(deadline)) {
    return DeadlineExceededError("deadline exceeded waiting for the broker to come back");
  }
  return OkStatus();
}

bool ChannelImpl::Finish(const std::string& id, Status status, Message* reply, bool unroutable) {
  Pending p;
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    auto it = calls_.find(id);
    if (it == calls_.end()) return false;
    p = std::move(it->second);
    calls_.erase(it);
  }
  if (p.timer) core_.timers().Cancel(p.timer);
  if (p.context) {
    p.context->SetCancelHook(nullptr);
    if (reply != nullptr) {
      auto* md = p.context->mutable_response_metadata();
      for (const auto& [key, value] : reply->properties.headers) {
        if (key.rfind(kReservedHeaderPrefix, 0) == 0) continue;
        if (const std::string* sv = value.get_if<std::string>()) (*md)[key] = *sv;
      }
    }
  }
  p.done(std::move(status), reply, unroutable);
  return true;
}

void ChannelImpl::OnReply(Message&& reply) {
  // The reply queue is consumed without acks (it is exclusive and auto-delete: what it holds
  // dies with the connection, and the calls waiting for it are failed then).
  if (!reply.properties.correlation_id) {
    ++dropped_replies_;
    return;
  }
  const std::string& id = *reply.properties.correlation_id;
  if (reply.properties.type && *reply.properties.type == kStreamResponseType) {
    std::shared_ptr<StreamCore> stream;
    {
      std::lock_guard<std::mutex> lock(calls_mu_);
      auto it = streams_.find(id);
      if (it != streams_.end()) stream = it->second;
    }
    if (stream) {
      stream->OnEnvelope(reply);
    } else {
      ++dropped_replies_;
    }
    return;
  }
  Status error;
  bool finished = DecodeErrorReply(reply, &error) ? Finish(id, std::move(error), &reply)
                                                  : Finish(id, OkStatus(), &reply);
  if (!finished) {
    ++dropped_replies_;
    BROKRPC_LOG_DEBUG("dropped a reply for correlation id '{}' (late or unknown)", id);
  }
}

namespace {

const RetryPolicy& PolicyOf(const ClientContext* ctx, const ChannelOptions& options) {
  return ctx->retry_policy() ? *ctx->retry_policy() : options.retry_policy;
}

bool Retryable(const RetryPolicy& policy, const Status& s) {
  return std::find(policy.retryable_codes.begin(), policy.retryable_codes.end(), s.code()) !=
         policy.retryable_codes.end();
}

// Whether a failed attempt is tried again: the retry policy allows it, or the caller waits for
// ready and no server has seen the request yet (nobody consumes the queue: during a broker
// restart the servers' queues come back a moment after the connection does).
bool TryAgain(const ClientContext& ctx, const RetryPolicy& policy, int attempt, const Status& s,
              bool unroutable, std::chrono::milliseconds backoff) {
  if (s.ok() || ctx.IsCancelled() || !ctx.deadline()) return false;
  if (SystemClock::now() + backoff >= *ctx.deadline()) return false;
  if (ctx.wait_for_ready() && unroutable) return true;
  return attempt < policy.max_attempts && Retryable(policy, s);
}

std::chrono::milliseconds NextBackoff(const RetryPolicy& policy, std::chrono::milliseconds b) {
  auto next = std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(b.count()) * policy.backoff_multiplier));
  return std::min(policy.max_backoff, std::max(next, std::chrono::milliseconds(1)));
}

}  // namespace

Status ChannelImpl::RunSync(ClientCall& call) {
  ClientContext* ctx = call.context;
  const RetryPolicy& policy = PolicyOf(ctx, options_);
  if (policy.max_attempts <= 1 && !ctx->wait_for_ready()) {
    ctx->set_attempts(1);
    return RunAttempt(call, nullptr);
  }
  // Every attempt shares one deadline.
  if (!ctx->deadline()) ctx->set_deadline(SystemClock::now() + options_.default_timeout);
  Message original = call.request;
  auto backoff = policy.initial_backoff;
  Status s;
  int attempt = 0;
  for (;;) {
    ++attempt;
    bool unroutable = false;
    s = RunAttempt(call, &unroutable);
    if (!TryAgain(*ctx, policy, attempt, s, unroutable, backoff)) break;
    std::this_thread::sleep_for(backoff);
    backoff = NextBackoff(policy, backoff);
    call.request = original;
    call.response = Message();
  }
  ctx->set_attempts(attempt);
  return s;
}

Status ChannelImpl::RunAttempt(ClientCall& call, bool* unroutable) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool unroutable = false;
    Status status;
    Message reply;
  };
  auto w = std::make_shared<Waiter>();
  StartCall(call, false, [w](Status s, Message* r, bool not_routed) {
    std::lock_guard<std::mutex> lock(w->mu);
    w->unroutable = not_routed;
    w->status = std::move(s);
    if (r != nullptr) w->reply = std::move(*r);
    w->done = true;
    w->cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(w->mu);
  if (!w->done) {
    auto deadline =
        call.context->deadline().value_or(SystemClock::now() + options_.default_timeout);
    if (!w->cv.wait_until(lock, ToSteady(deadline), [&] { return w->done; })) {
      lock.unlock();
      Finish(call.context->correlation_id(),
             DeadlineExceededError("deadline exceeded waiting for the reply"), nullptr);
      lock.lock();
      w->cv.wait(lock, [&] { return w->done; });
    }
  }
  call.response = std::move(w->reply);
  if (unroutable != nullptr) *unroutable = w->unroutable;
  return w->status;
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
  Status s = RunChain(options_.interceptors, call, [this](ClientCall& c) { return RunSync(c); });
  if (reply != nullptr) *reply = std::move(call.response);
  return s;
}

void ChannelImpl::StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                             Message request, Channel::UnaryDone done) {
  auto call = std::make_shared<ClientCall>(ClientCall{.service = &service,
                                                      .method = &service.methods.at(method),
                                                      .context = context,
                                                      .request = std::move(request)});
  ThreadPool* pool = &core_.pool();
  if (!options_.interceptors.empty()) {
    auto self = shared_from_this();
    auto task = [self, call, done = std::move(done)]() {
      Status s = RunChain(self->options_.interceptors, *call,
                          [&](ClientCall& c) { return self->RunSync(c); });
      done(std::move(s), &call->response);
    };
    if (!pool->Post(task)) task();
    return;
  }
  const RetryPolicy& policy = PolicyOf(context, options_);
  const bool may_repeat = policy.max_attempts > 1 || context->wait_for_ready();
  if (may_repeat && !context->deadline()) {
    context->set_deadline(SystemClock::now() + options_.default_timeout);
  }
  auto retry = std::make_shared<AsyncAttempts>(
      AsyncAttempts{.call = call,
                    .original = may_repeat ? call->request : Message(),
                    .policy = policy,
                    .backoff = policy.initial_backoff,
                    .done = std::move(done)});
  StartAsyncAttempt(retry);
}

void ChannelImpl::StartAsyncAttempt(std::shared_ptr<AsyncAttempts> a) {
  ++a->attempt;
  std::weak_ptr<ChannelImpl> weak = weak_from_this();
  ThreadPool* pool = &core_.pool();
  StartCall(*a->call, true, [weak, pool, a](Status s, Message* reply, bool unroutable) mutable {
    ClientContext* ctx = a->call->context;
    bool again = TryAgain(*ctx, a->policy, a->attempt, s, unroutable, a->backoff);
    auto self = weak.lock();
    if (again && self) {
      auto wait = a->backoff;
      a->backoff = NextBackoff(a->policy, a->backoff);
      a->call->request = a->original;
      a->call->response = Message();
      self->core_.timers().ScheduleAfter(wait, [weak, a] {
        if (auto me = weak.lock()) {
          me->StartAsyncAttempt(a);
        } else {
          a->done(CancelledError("the channel was destroyed"), nullptr);
        }
      });
      return;
    }
    ctx->set_attempts(a->attempt);
    if (reply != nullptr) a->call->response = std::move(*reply);
    auto task = [a, s = std::move(s), has = reply != nullptr]() {
      a->done(s, has ? &a->call->response : nullptr);
    };
    if (!pool->Post(task)) task();
  });
}

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
  auto terminal = [&](ClientCall& c) -> Status {
    if (c.context->IsCancelled()) return CancelledError("the call was cancelled");
    // A fire-and-forget message carries an expiration (and x-brokrpc-deadline) only when the
    // caller set a deadline: without one it waits in the queue for as long as it takes.
    ResolvedExchange exchange;
    std::optional<SystemClock::time_point> deadline;
    BROKRPC_RETURN_IF_ERROR(Prepare(c, /*default_deadline=*/false, &exchange, &deadline));
    if (!broker_->is_connected()) BROKRPC_RETURN_IF_ERROR(broker_->Connect());
    BROKRPC_RETURN_IF_ERROR(EnsureExchange(exchange, false));
    FillMessageDefaults(&c.request);
    // A durable server queue keeps what it was given across broker restarts only when the
    // message is persistent: then a confirmed fire-and-forget message is never lost.
    if (c.method->queue.durable.value_or(false) && !c.request.properties.delivery_mode) {
      c.request.properties.delivery_mode = DeliveryMode::kPersistent;
    }
    const MethodSpec* m = c.method;
    publisher_->PublishRaw(std::move(c.request), true,
                           [done, m](const PublishOutcome& o) { done(CallFailure(*m, o)); });
    done = nullptr;
    return OkStatus();
  };
  Status s = RunChain(options_.interceptors, call, terminal);
  if (done) done(s);
}

std::shared_ptr<StreamCore> ChannelImpl::OpenStream(const ServiceSpec& service, size_t method_index,
                                                    ClientContext* context,
                                                    const google::protobuf::Message* initial,
                                                    bool last) {
  const MethodSpec& method = service.methods.at(method_index);
  ResolvedExchange exchange = core_.ResolveExchange(service.exchange);
  StreamSettings settings{.window = options_.stream_window,
                          .keepalive = options_.stream_keepalive,
                          .deadline = context->deadline()};
  auto stream = std::make_shared<StreamCore>(StreamCore::Role::kClient, broker_, publisher_,
                                             exchange.name, settings);
  auto fail = [&](const Status& s) {
    stream->Fail(s);
    return stream;
  };
  if (method.kind == MethodKind::kUnary || method.kind == MethodKind::kFireAndForget) {
    return fail(
        InvalidArgumentError(fmt::format("{} is not a streaming method", method.routing_key)));
  }
  if (context->IsCancelled()) return fail(CancelledError("the call was cancelled"));
  FieldTable headers;
  for (const auto& [key, value] : context->metadata()) {
    if (key.rfind(kReservedHeaderPrefix, 0) == 0) {
      return fail(InvalidArgumentError(
          fmt::format("metadata key '{}' is reserved (prefix x-brokrpc-)", key)));
    }
    headers.Set(key, value);
  }
  if (exchange.name.empty()) {
    return fail(FailedPreconditionError(
        fmt::format("service {}: no exchange name (RabbitMQ refuses the default exchange); set the "
                    "(brokrpc.spec.v1.exchange) option or BrokerOptions::default_exchange.name",
                    service.full_name)));
  }
  Status ready = EnsureReplyQueue();
  if (ready.ok()) ready = EnsureExchange(exchange, true);
  if (!ready.ok()) return fail(ready);
  std::vector<google::protobuf::Any> payloads;
  if (initial != nullptr) payloads.emplace_back().PackFrom(*initial);
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    streams_[stream->id_hex()] = stream;
  }
  context->set_correlation_id(stream->id_hex());
  std::weak_ptr<ChannelImpl> weak = weak_from_this();
  std::string id = stream->id_hex();
  stream->set_on_done([weak, id] {
    if (auto self = weak.lock()) {
      std::lock_guard<std::mutex> lock(self->calls_mu_);
      self->streams_.erase(id);
    }
  });
  std::weak_ptr<StreamCore> weak_stream = stream;
  context->SetCancelHook([weak_stream] {
    if (auto s = weak_stream.lock()) s->Cancel(CancelledError("cancelled by the client"));
  });
  stream->Open(std::string(method.routing_key), reply_queue_, headers, std::move(payloads), last);
  return stream;
}

}  // namespace brokrpc::internal

namespace brokrpc {

std::shared_ptr<internal::StreamCore> Channel::OpenStream(const ServiceSpec& service,
                                                          size_t method_index,
                                                          ClientContext* context,
                                                          const google::protobuf::Message* initial,
                                                          bool last) {
  return impl_->OpenStream(service, method_index, context, initial, last);
}

Channel::Channel(std::shared_ptr<internal::ChannelImpl> impl) : impl_(std::move(impl)) {}
Channel::~Channel() = default;
Status Channel::Connect() { return impl_->Connect(); }
Status Channel::CallUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                          Message request, Message* reply) {
  return impl_->CallUnary(service, method, context, std::move(request), reply);
}
void Channel::StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                         Message request, UnaryDone done) {
  impl_->StartUnary(service, method, context, std::move(request), std::move(done));
}
Status Channel::Publish(const ServiceSpec& service, size_t method, ClientContext* context,
                        Message message) {
  return impl_->Publish(service, method, context, std::move(message));
}
void Channel::StartPublish(const ServiceSpec& service, size_t method, ClientContext* context,
                           Message message, std::function<void(Status)> done) {
  impl_->StartPublish(service, method, context, std::move(message), std::move(done));
}
const std::shared_ptr<Broker>& Channel::broker() const { return impl_->broker(); }
const ChannelOptions& Channel::options() const { return impl_->options(); }
uint64_t Channel::dropped_replies() const { return impl_->dropped_replies(); }

std::shared_ptr<Channel> CreateChannel(std::shared_ptr<Broker> broker, ChannelOptions options) {
  return std::make_shared<Channel>(
      std::make_shared<internal::ChannelImpl>(std::move(broker), std::move(options)));
}

}  // namespace brokrpc
