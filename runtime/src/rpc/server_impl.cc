// ServerImpl, the lifecycle: services registered, endpoints started, shutdown and drain.
#include "rpc/server_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "rpc/context_access.h"
#include "rpc/reflection_service.h"
#include "rpc/server_queue.h"
#include "rpc/wire.h"

namespace brokrpc::internal {
ServerImpl::ServerImpl(std::shared_ptr<Broker> broker, ServerOptions options)
    : broker_(std::move(broker)),
      core_(BrokerAccess::Core(*broker_)),
      options_(std::move(options)),
      observers_(options_.interceptors),
      skeleton_(Concat(core_.options().consumer_middlewares,
                       ServerObservers::Others(options_.interceptors))),
      stream_executor_(options_.max_concurrent_streams) {}

ServerImpl::~ServerImpl() {
  // Stop at once, but handlers still running use this object: wait for them (their contexts
  // report IsCancelled()). Once every delivery is settled each handler has started; then wait
  // until each has returned, and join the stream handlers posted meanwhile (their streams were
  // refused or cancelled, see streams_closed_).
  Shutdown(SystemClock::now()).IgnoreError();
  for (auto& e : endpoints_) {
    if (e.consumer) e.consumer->WaitIdle(std::chrono::steady_clock::now() + std::chrono::hours(24));
  }
  skeleton_.WaitReturned();
  stream_executor_.Shutdown();
}

bool ServerImpl::is_running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::kRunning;
}

Status ServerImpl::RegisterService(Service* service, const std::vector<bool>* methods) {
  if (service == nullptr) return InvalidArgumentError("RegisterService: the service is null");
  if (methods != nullptr) {
    if (methods->size() != service->spec().methods.size()) {
      return InvalidArgumentError(
          fmt::format("RegisterService: {} entries for the {} methods of {}", methods->size(),
                      service->spec().methods.size(), service->spec().full_name));
    }
    if (std::find(methods->begin(), methods->end(), true) == methods->end()) {
      return InvalidArgumentError(
          fmt::format("service {}: no method to serve (the registered class overrides none)",
                      service->spec().full_name));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kIdle) {
    return FailedPreconditionError("RegisterService: the server has already been started");
  }
  return RegisterLocked(service, methods);
}

Status ServerImpl::AddReflectionLocked() {
  // Exchange name -> (the exchange's options, the services served there), in first-seen order.
  std::vector<std::pair<ExchangeOptions, std::vector<std::string>>> exchanges;
  for (const auto& e : endpoints_) {
    const ServiceSpec& spec = e.service->spec();
    auto it = std::find_if(exchanges.begin(), exchanges.end(), [&](const auto& x) {
      return core_.ResolveExchange(x.first).name == e.exchange.name;
    });
    if (it == exchanges.end()) {
      exchanges.emplace_back(spec.exchange, std::vector<std::string>{});
      it = std::prev(exchanges.end());
    }
    std::string name(spec.full_name);
    if (std::find(it->second.begin(), it->second.end(), name) == it->second.end()) {
      it->second.push_back(std::move(name));
    }
  }
  for (auto& [exchange, services] : exchanges) {
    reflection_.push_back(std::make_unique<ReflectionService>(exchange, std::move(services)));
    BROKRPC_RETURN_IF_ERROR(RegisterLocked(reflection_.back().get(), nullptr));
  }
  return OkStatus();
}

Status ServerImpl::RegisterLocked(Service* service, const std::vector<bool>* methods) {
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
    const MethodHandlers& h = ServiceAccess::Handlers(*service, i);
    if (!h.unary && !h.fire_and_forget && !h.stream) continue;
    if (methods != nullptr && !(*methods)[i]) continue;  // not overridden: left to other servers
    for (const auto& e : endpoints_) {
      if (e.method->routing_key == m.routing_key && e.exchange.name == exchange.name) {
        return InvalidArgumentError(
            fmt::format("service {}: {} is already served", spec.full_name, m.routing_key));
      }
    }
    QueueOptions queue = m.queue;
    if (!queue.name) queue.name = std::string(m.routing_key);
    auto resolved =
        ResolveServerQueue(core_.options().default_queue, queue, DefaultQueueTypeOf(core_));
    if (!resolved.ok()) {
      return resolved.status().WithContext(fmt::format("service {}", spec.full_name));
    }
    Endpoint e;
    e.service = service;
    e.index = i;
    e.method = &m;
    e.exchange = exchange;
    e.queue = *std::move(resolved);
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
  if (options_.reflection && reflection_.empty()) {
    BROKRPC_RETURN_IF_ERROR(AddReflectionLocked().WithContext("serve reflection"));
  }
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
      const bool inline_kind =
          e.method->kind == MethodKind::kUnary || e.method->kind == MethodKind::kFireAndForget;
      s = e.consumer->Start(
          e.prefetch, false,
          options_.inline_handlers && inline_kind ? HandlerThread::kInline : HandlerThread::kPool);
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
      std::vector<std::shared_ptr<StreamCore>> running(active_streams_.begin(),
                                                       active_streams_.end());
      lock.unlock();
      for (auto& stream : running) stream->Cancel(UnavailableError("the server is shutting down"));
      drained = false;
    }
  }
  if (!drained) skeleton_.CancelActive();
  stream_executor_.Shutdown();  // the stream handlers return (ended, or cancelled above)
  for (size_t i = 0; i < count; ++i) {
    if (endpoints_[i].consumer) endpoints_[i].consumer->Release();
  }
  uint64_t stream_consumer = 0;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    registry_->stopped = true;  // a stream queue replaced after a reconnect cancels itself
    stream_consumer = registry_->consumer.exchange(0);
  }
  if (stream_consumer != 0) {
    // Blocking: after it returns no stream envelope reaches this server any more.
    core_.transport().CancelConsumer(stream_consumer).IgnoreError();
    core_.transport().ReleaseConsumer(stream_consumer);
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

}  // namespace brokrpc::internal

namespace brokrpc {

Server::Server(std::shared_ptr<Broker> broker, ServerOptions options)
    : impl_(std::make_unique<internal::ServerImpl>(std::move(broker), std::move(options))) {}
Server::~Server() = default;
Status Server::RegisterService(Service* service) {
  return impl_->RegisterService(service, nullptr);
}
Status Server::RegisterService(Service* service, const std::vector<bool>& methods) {
  return impl_->RegisterService(service, &methods);
}
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
