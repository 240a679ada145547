// ServerImpl: serves registered services — a consumer per method, replies, drain on shutdown.
// Split by concern: server_impl.cc (lifecycle: register, start, shutdown), server_requests.cc
// (the unary and fire-and-forget tails, replies), server_streams.cc (stream queue, open
// streams, their handlers on the stream executor); every request goes through RequestSkeleton.
#ifndef BROKRPC_SRC_RPC_SERVER_IMPL_H_
#define BROKRPC_SRC_RPC_SERVER_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "brokrpc/server.h"
#include "messaging/broker_core.h"
#include "messaging/consumer_impl.h"
#include "messaging/publisher_impl.h"
#include "rpc/request_skeleton.h"
#include "rpc/server_observers.h"
#include "rpc/stream_core.h"
#include "rpc/stream_executor.h"
#include "rpc/wire.h"

namespace brokrpc::spec::v1 {
class StreamRequest;
}  // namespace brokrpc::spec::v1

namespace brokrpc::internal {

// Thread-safe. Destroying it stops it at once and waits for every handler it started (request
// handlers on the pool and stream handlers on its stream executor).
class ServerImpl {
 public:
  ServerImpl(std::shared_ptr<Broker> broker, ServerOptions options);
  ~ServerImpl();

  // Serves the methods of `service` that have a handler and, when `methods` is given, are set
  // in it.
  Status RegisterService(Service* service, const std::vector<bool>* methods);
  Status Start();
  void Wait();
  Status Shutdown(SystemClock::time_point deadline);
  bool is_running() const;

 private:
  // One served method.
  struct Endpoint {
    Service* service = nullptr;
    size_t index = 0;
    const MethodSpec* method = nullptr;
    ResolvedExchange exchange;
    ResolvedQueue queue;
    uint16_t prefetch = 0;
    std::shared_ptr<ConsumerImpl> consumer;
  };
  enum class State { kIdle, kRunning, kStopping, kStopped };

  // RegisterService with mu_ held (`methods` null: every method with a handler).
  Status RegisterLocked(Service* service, const std::vector<bool>* methods);
  // With ServerOptions::reflection: one ReflectionService per exchange of the registered
  // services, registered like theirs (mu_ held).
  Status AddReflectionLocked();

  // The tails of the request skeleton, one per call kind (see RequestTail).
  class UnaryTail;
  class FireAndForgetTail;
  class StreamTail;

  // The consumer handler of an endpoint of each kind: the request skeleton with its tail.
  AsyncConsumerHandler UnaryHandler(const Endpoint& endpoint);
  AsyncConsumerHandler FireAndForgetHandler(const Endpoint& endpoint);
  AsyncConsumerHandler StreamHandler(const Endpoint& endpoint);
  // The server's stream queue: declared, consumed, and bound to every streaming exchange.
  Status StartStreamQueue();
  // Accepts (or refuses) an opening and starts its handler thread; settles the opening last.
  // `site`: the service and method, for the observers.
  void OpenStream(const spec::v1::StreamRequest& opening, Message& request, Settle settle,
                  const RawStreamHandler* handler, const ServerCall& site);
  // The stream's handler inside the interceptors, between the observers' OnStart and OnDone.
  void RunStream(std::shared_ptr<StreamCore> stream, Message request, const RawStreamHandler* h,
                 const ServerCall& site);
  // Runs `serve` (which serves the request and returns the status the client is told) between
  // the observers' OnStart and OnDone. `site`: the service and method.
  template <typename Serve>
  void Observed(const ServerCall& site, Message& request, Serve&& serve) {
    if (observers_.empty()) {
      static_cast<void>(serve());
      return;
    }
    ServerCall call = site;
    call.request = &request;
    observers_.Start(call);
    observers_.Done(call, serve());
  }
  // An admitted stream's handler returned (or never started): its slot may take a new stream.
  // Called before its End goes out, so that the client that saw the End can open another.
  void ReleaseStreamSlot();
  // An admitted stream is over, its End sent: a shutdown no longer waits for it.
  void EndStream(const std::shared_ptr<StreamCore>& stream);
  // Publishes `reply` to the request's exchange / reply_to; acks the request once confirmed.
  void SendReply(const Message& request, const std::map<std::string, std::string>& metadata,
                 Message reply, Settle settle);
  void SendError(const Message& request, const Status& status, Settle settle);
  void StopEndpoints(size_t count, SystemClock::time_point deadline);

  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  ServerOptions options_;
  // The observers among options_.interceptors, run around the skeleton (which runs the rest).
  ServerObservers observers_;
  RequestSkeleton skeleton_;
  std::shared_ptr<PublisherImpl> replies_;  // shared with the streams

  mutable std::mutex mu_;
  std::condition_variable state_cv_;
  State state_ = State::kIdle;
  std::vector<Endpoint> endpoints_;
  // The reflection services (ServerOptions::reflection), once Start() added them.
  std::vector<std::unique_ptr<Service>> reflection_;

  // Open streams by id. Shared, so that a stream ending after the server is gone can still
  // unregister itself safely.
  struct StreamRegistry {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<StreamCore>> streams;
    std::atomic<uint64_t> consumer{0};   // of the stream queue, once started
    std::string queue;                   // the stream queue: the address of new streams (mu)
    std::vector<std::string> exchanges;  // the streaming exchanges it is bound to
    bool stopped = false;                // set by the shutdown (mu): no new stream queue
  };
  std::shared_ptr<StreamRegistry> registry_ = std::make_shared<StreamRegistry>();
  // The transport's callbacks for the stream queue and the connection use the registry, not
  // the server: one may still be running when cancelling the consumer has returned.
  // `consumer`: the id of the consumer that received it (set once StartConsumer returned).
  static void OnStreamEnvelope(StreamRegistry& registry, Transport& transport,
                               const std::atomic<uint64_t>& consumer, Message&& message);
  static void FailStreams(StreamRegistry& registry, const Status& why);
  // Declares a new stream queue, binds and consumes it, makes it the address of new streams
  // (server_stream_queue.cc).
  static Status NewStreamQueue(const std::shared_ptr<StreamRegistry>& registry, BrokerCore& core);
  // After a reconnect: a new stream queue, and the one the reconnect restored is deleted, so
  // that the clients of the streams that died with the old connection learn it (their
  // keepalive pings come back unroutable) instead of waiting forever. On the timer thread.
  static void ReplaceStreamQueue(const std::shared_ptr<StreamRegistry>& registry, BrokerCore& core);
  // Admitted streams (guarded by streams_mu_): counted from admission, recorded once their
  // handler is posted, until it returns.
  std::mutex streams_mu_;
  std::condition_variable streams_cv_;
  std::set<std::shared_ptr<StreamCore>> active_streams_;
  size_t running_streams_ = 0;
  // Admitted and not yet released (ReleaseStreamSlot): what max_concurrent_streams bounds.
  size_t admitted_streams_ = 0;
  // Set when a shutdown stopped waiting for the running streams (all ended, or the deadline
  // passed and the rest were cancelled): a stream opened later is refused with UNAVAILABLE, one
  // accepted meanwhile is cancelled at once.
  bool streams_closed_ = false;
  uint64_t listener_id_ = 0;
  // Runs the stream handlers: at most max_concurrent_streams threads. Last, so that it is
  // joined (in the destructor at the latest) before anything its handlers use goes away.
  StreamExecutor stream_executor_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_SERVER_IMPL_H_
