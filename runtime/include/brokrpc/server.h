// Server: serves registered services — one queue and consumer per method.
#ifndef BROKRPC_SERVER_H_
#define BROKRPC_SERVER_H_

#include <chrono>
#include <concepts>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/interceptor.h"
#include "brokrpc/service.h"
#include "brokrpc/status.h"

namespace brokrpc {

namespace internal {
class ServerImpl;
}

// Server settings.
struct ServerOptions {
  // Server interceptors (consumer middlewares on requests and stream openings), outermost
  // first; they run inside the broker's default consumer middlewares. The ServerCallObservers
  // among them run outside both, around every call and stream (brokrpc/interceptor.h).
  MiddlewareChain<Message, ConsumeResult> interceptors{};
  // basic.qos of each method's consumer, unless the method's queue option sets one
  // (default kDefaultPrefetchCount): how many requests of one method run at once.
  std::optional<uint16_t> prefetch_count{};
  // Streams: at most this many run at once. Their handlers run on a stream pool of this many
  // threads at most, started as streams need them and reused (a stream handler holds its thread
  // for the stream's life, so streams do not share the handler pool). A stream opened while
  // this many run ends at once with RESOURCE_EXHAUSTED (the client's Read and Write return
  // false, Finish returns it); 0 refuses every stream. See docs/serving.md.
  size_t max_concurrent_streams = 256;
  // How many client messages a stream buffers before the client must wait for credit, and how
  // often an idle stream probes that the client is still there.
  uint32_t stream_window = 64;
  std::chrono::milliseconds stream_keepalive{1000};
  // Runs unary and fire-and-forget handlers (and the server interceptors) on the connection's
  // I/O thread instead of the handler pool: two thread hand-offs fewer per call. Only for
  // handlers that never block: while one runs, the connection does nothing else. A blocking
  // brokrpc call made there (a synchronous call, Publish(), a declaration) fails at once with
  // FAILED_PRECONDITION instead of deadlocking; asynchronous calls are fine. Stream handlers
  // always run on the stream pool (see max_concurrent_streams).
  bool inline_handlers = false;
  // Serves brokrpc.reflection.v1.ReflectionService (proto/brokrpc/reflection/v1) on the
  // exchange of every registered service: it answers with the full names of the services
  // served there and the file descriptors that define them, so that `brokrpc list URL -e X`
  // and `brokrpc call URL -e X ...` work without the .proto files. Off by default: it reveals
  // the schema to anyone who can publish to the exchange, and adds one exclusive queue per
  // exchange ("reflection.<uuid hex>").
  bool reflection = false;
};

// Register services, Start() (or Run()), and Shutdown() to drain. Thread-safe. Holds a shared_ptr
// to its Broker (like everything made from a Broker), so the Broker lives at least as long.
//
//   brokrpc::Server server(broker);
//   MyGreeter impl;  // : public greeting::Greeter::Service
//   server.RegisterService(&impl);
//   brokrpc::Status s = server.Run();   // until Shutdown() from another thread
class Server {
 public:
  explicit Server(std::shared_ptr<Broker> broker, ServerOptions options = {});
  // Shuts down at once (running handlers finish; their replies still go out).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds a service (not owned; must outlive the server): a consumer on the queue of each method
  // it has a handler for. FAILED_PRECONDITION once started; INVALID_ARGUMENT when the service's
  // exchange resolves to no name (RabbitMQ refuses the default exchange) or a method's routing
  // key is served twice.
  //
  // A generated service registered through its own class (`MyGreeter*`) is served only for the
  // methods that class overrides (Svc::Service::MethodsServedBy): servers are competing
  // consumers, so two processes overriding different methods split the service between them,
  // and a method nobody overrides has no queue (its callers fail with UNAVAILABLE, no route).
  // INVALID_ARGUMENT when the class overrides none. Registered through a base pointer
  // (`Svc::Service*`, `brokrpc::Service*`) every method is served, the defaults answering
  // UNIMPLEMENTED.
  template <typename Impl>
  requires std::derived_from<Impl, Service> && requires { Impl::template MethodsServedBy<Impl>(); }
  Status RegisterService(Impl* service) {
    return RegisterService(service, Impl::template MethodsServedBy<Impl>());
  }
  Status RegisterService(Service* service);
  // Adds the methods of `service` whose entry in `methods` (by position in spec().methods) is
  // true; INVALID_ARGUMENT when none is, or when `methods` is not one entry per method.
  Status RegisterService(Service* service, const std::vector<bool>& methods);

  // Declares the exchanges, queues and bindings and starts consuming. Connects the broker
  // if needed.
  Status Start();
  // Blocks until Shutdown() completes.
  void Wait();
  // Start() then Wait().
  Status Run();
  // Runs until one of `signals` arrives (SIGINT and SIGTERM by default), then Shutdown(drain).
  Status RunUntilSignalled(std::chrono::milliseconds drain = std::chrono::seconds(30),
                           std::initializer_list<int> signals = {});

  // Stops consuming, lets running handlers finish until `deadline` (after which their contexts
  // report IsCancelled()), and hands back (requeues) requests that were not started.
  // Idempotent; safe from any thread except a handler.
  Status Shutdown(std::chrono::system_clock::time_point deadline);
  Status Shutdown(std::chrono::milliseconds drain = std::chrono::seconds(30)) {
    return Shutdown(std::chrono::system_clock::now() + drain);
  }

  bool is_running() const;

 private:
  std::unique_ptr<internal::ServerImpl> impl_;
};

}  // namespace brokrpc

#endif  // BROKRPC_SERVER_H_
