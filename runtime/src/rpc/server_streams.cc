// ServerImpl, the streams: the server's stream queue, the open streams by id, the stream tail of
// the request skeleton and the handlers on the stream executor.
#include <fmt/format.h>

#include "base/log.h"
#include "base/uuid.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "rpc/context_access.h"
#include "rpc/server_impl.h"
#include "rpc/server_queue.h"

namespace brokrpc::internal {

Status ServerImpl::StartStreamQueue() {
  std::vector<const Endpoint*> streaming;
  for (const auto& e : endpoints_) {
    if (e.method->kind != MethodKind::kUnary && e.method->kind != MethodKind::kFireAndForget) {
      streaming.push_back(&e);
    }
  }
  if (streaming.empty() || registry_->consumer != 0) return OkStatus();
  std::shared_ptr<StreamRegistry> registry = registry_;
  BrokerCore* core = &core_;
  std::weak_ptr<Broker> broker = broker_;
  if (listener_id_ == 0) {
    listener_id_ = core_.transport().AddConnectionListener(ConnectionListener{
        .on_lost =
            [registry](const Status& why) {
              FailStreams(*registry,
                          UnavailableError(fmt::format("stream failed: {}", why.message())));
            },
        // On the I/O thread, where nothing may block: the timer thread replaces the queue.
        .on_restored =
            [registry, core, broker] {
              core->timers().ScheduleAfter(std::chrono::milliseconds(0), [registry, core, broker] {
                if (auto alive = broker.lock()) ReplaceStreamQueue(registry, *core);
              });
            }});
  }
  std::set<std::string> bound;
  for (const Endpoint* e : streaming) {
    if (!bound.insert(e->exchange.name).second) continue;
    BROKRPC_RETURN_IF_ERROR(core_.DeclareExchange(e->exchange));
    registry_->exchanges.push_back(e->exchange.name);
  }
  return NewStreamQueue(registry_, core_);
}

void ServerImpl::FailStreams(StreamRegistry& registry, const Status& why) {
  std::map<std::string, std::shared_ptr<StreamCore>> streams;
  {
    std::lock_guard<std::mutex> lock(registry.mu);
    streams = registry.streams;
  }
  for (auto& [id, stream] : streams) stream->Fail(why);
}

void ServerImpl::OnStreamEnvelope(StreamRegistry& registry, Transport& transport,
                                  const std::atomic<uint64_t>& consumer, Message&& message) {
  uint64_t tag = message.delivery ? message.delivery->delivery_tag : 0;
  transport.Settle(consumer.load(), tag, Settlement::kAck);
  if (!message.properties.correlation_id) return;
  std::shared_ptr<StreamCore> stream;
  {
    std::lock_guard<std::mutex> lock(registry.mu);
    auto it = registry.streams.find(*message.properties.correlation_id);
    if (it != registry.streams.end()) stream = it->second;
  }
  if (stream) stream->OnEnvelope(message);
}

// A stream opening: accepted (or refused) with the server's stream queue as the address for
// the rest of the stream; the handler runs on the stream executor (RunStream). Made for one
// opening, used on its pool thread.
class ServerImpl::StreamTail {
 public:
  StreamTail(ServerImpl& server, const RawStreamHandler* handler, const ServerCall& site)
      : server_(server), handler_(handler), site_(site) {}

  Status Check(const Message& request) {
    const auto& p = request.properties;
    if (!p.reply_to || !p.correlation_id || !p.type || *p.type != kStreamRequestType ||
        !opening_.ParseFromString(request.body) || !opening_.has_start()) {
      return InvalidArgumentError("not a stream opening");
    }
    return OkStatus();
  }

  void RefuseOversized(Message&, Settle settle) {
    settle(ConsumeResult::Reject(ResourceExhaustedError("larger than max_message_size")));
  }

  void Serve(Message& request, Settle settle) {
    server_.OpenStream(opening_, request, std::move(settle), handler_, site_);
  }

 private:
  ServerImpl& server_;
  const RawStreamHandler* handler_;
  const ServerCall& site_;
  spec::v1::StreamRequest opening_;  // decoded by Check
};

AsyncConsumerHandler ServerImpl::StreamHandler(const Endpoint& endpoint) {
  const RawStreamHandler* handler =
      &ServiceAccess::Handlers(*endpoint.service, endpoint.index).stream;
  std::string routing_key(endpoint.method->routing_key);
  ServerCall site{.service = &endpoint.service->spec(), .method = endpoint.method};
  return [this, handler, routing_key, site](Message& request, Settle settle) {
    StreamTail tail(*this, handler, site);
    skeleton_.Serve(routing_key, tail, request, std::move(settle));
  };
}

void ServerImpl::OpenStream(const spec::v1::StreamRequest& opening, Message& request, Settle settle,
                            const RawStreamHandler* handler, const ServerCall& site) {
  const std::string_view routing_key = site.method->routing_key;
  auto deadline = RequestDeadline(request);
  StreamSettings settings{.window = options_.stream_window,
                          .keepalive = options_.stream_keepalive,
                          .deadline = deadline};
  std::string exchange = request.delivery ? request.delivery->exchange : request.exchange;
  auto stream = std::make_shared<StreamCore>(StreamCore::Role::kServer, broker_, replies_, exchange,
                                             settings);
  std::vector<google::protobuf::Any> initial(opening.start().payloads().begin(),
                                             opening.start().payloads().end());
  // The delivery is settled last: until then the consumer counts this opening as in flight,
  // so a shutdown draining the consumers waits for its handler to be posted.
  Status refused;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (streams_closed_) {
      refused = UnavailableError(fmt::format("{}: the server is shutting down", routing_key));
    } else if (admitted_streams_ >= options_.max_concurrent_streams) {
      refused = ResourceExhaustedError(fmt::format("{}: the server runs {} streams already",
                                                   routing_key, options_.max_concurrent_streams));
    } else {
      ++running_streams_;
      ++admitted_streams_;
    }
  }
  if (refused.ok()) {
    std::lock_guard<std::mutex> lock(registry_->mu);
    registry_->streams[*request.properties.correlation_id] = stream;
  }
  std::string address;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    address = registry_->queue;
  }
  stream->Accept(request, address, opening.uuid(), std::move(initial), opening.start().last(),
                 opening.start().window());
  if (!refused.ok()) {
    stream->End(refused);
    settle(ConsumeResult::Ack());
    return;
  }
  std::string id = *request.properties.correlation_id;
  std::weak_ptr<StreamRegistry> registry = registry_;
  stream->set_on_done([registry, id] {
    if (auto r = registry.lock()) {
      std::lock_guard<std::mutex> lock(r->mu);
      r->streams.erase(id);
    }
  });
  bool cancel;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    active_streams_.insert(stream);
    cancel = streams_closed_;  // a shutdown gave up on the streams while this one opened
  }
  bool posted = stream_executor_.Post([this, stream, request, handler, site]() mutable {
    RunStream(std::move(stream), std::move(request), handler, site);
  });
  if (!posted) {
    // The shutdown has already joined the stream handlers.
    ReleaseStreamSlot();
    stream->End(UnavailableError(fmt::format("{}: the server is shutting down", routing_key)));
    EndStream(stream);
  } else if (cancel) {
    stream->Cancel(UnavailableError("the server is shutting down"));
  }
  settle(ConsumeResult::Ack());
}

// The observers see the handler's status; the interceptors wrap the handler, and a result of
// theirs other than an ack ends the stream with its status.
namespace {
class ServerStreamWatcher : public StreamWatcher {
 public:
  ServerStreamWatcher(const ServerObservers& observers, ServerCall call)
      : observers_(observers), call_(call) {}
  void OnMessage(StreamMessageDirection direction) override {
    observers_.StreamMessage(call_, direction);
  }
  void OnEnd(const Status&, bool) override {}  // RunStream reports the end itself
  ServerCall& call() { return call_; }

 private:
  const ServerObservers& observers_;  // the server's: outlives its handlers
  ServerCall call_;
};
}  // namespace

void ServerImpl::RunStream(std::shared_ptr<StreamCore> stream, Message request,
                           const RawStreamHandler* handler, const ServerCall& site) {
  std::shared_ptr<ServerStreamWatcher> watcher;
  if (!observers_.empty()) {
    ServerCall call = site;
    call.request = &request;
    watcher = std::make_shared<ServerStreamWatcher>(observers_, call);
    observers_.Start(watcher->call());
    stream->set_watcher(watcher);
  }
  Status status;
  bool ran = false;
  auto terminal = [&](Message& opening) {
    return skeleton_.RunHandler(
        opening,
        [&](ServerContext& context) {
          stream->set_context(&context);
          ran = true;
          status = (*handler)(context, *stream);
          return status.ok() ? ConsumeResult::Ack() : ConsumeResult::Failed(status);
        },
        [&](ServerContext&, ConsumeResult result) {
          stream->set_context(nullptr);
          return result;
        });
  };
  ConsumeResult r = skeleton_.RunChain(request, terminal);
  if (r.is_ack()) {
    if (!ran) status = OkStatus();  // an interceptor answered without the handler
  } else if (!r.status().ok() || !ran || status.ok()) {
    status = StatusOfResult(r);
  }
  // Before the End goes out, so that a client that saw it finds the stream over: observed,
  // and its slot free for the next stream.
  if (watcher) observers_.Done(watcher->call(), status);
  ReleaseStreamSlot();
  stream->End(status);
  EndStream(stream);
}

void ServerImpl::ReleaseStreamSlot() {
  std::lock_guard<std::mutex> lock(streams_mu_);
  --admitted_streams_;
}

void ServerImpl::EndStream(const std::shared_ptr<StreamCore>& stream) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  active_streams_.erase(stream);
  --running_streams_;
  streams_cv_.notify_all();
}

}  // namespace brokrpc::internal
