// Service: the base class of generated services; holds the typed handlers of its methods.
#ifndef BROKRPC_SERVICE_H_
#define BROKRPC_SERVICE_H_

#include <functional>
#include <utility>
#include <vector>

#include "brokrpc/consume_result.h"
#include "brokrpc/impl/service_handlers.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/server_context.h"
#include "brokrpc/status.h"
#include "brokrpc/stream.h"

namespace brokrpc {

namespace internal {
struct ServiceAccess;
}

// Generated `Service` classes derive from this and register one handler per method in their
// constructor. Register an instance with Server::RegisterService; it must outlive the server.
// Handlers run on the broker's handler pool, many at once: implementations must be thread-safe.
class Service {
 public:
  explicit Service(const ServiceSpec& spec) : spec_(spec), handlers_(spec.methods.size()) {}
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const ServiceSpec& spec() const { return spec_; }

 protected:
  // Called by the generated constructor, once per method it implements.
  template <typename Request, typename Response>
  void AddUnaryHandler(size_t method_index,
                       std::function<Status(ServerContext*, const Request*, Response*)> method) {
    handlers_.at(method_index).unary = internal::UnaryHandler(std::move(method));
  }
  template <typename Request>
  void AddFireAndForgetHandler(
      size_t method_index, std::function<ConsumeResult(ServerContext*, const Request*)> method) {
    handlers_.at(method_index).fire_and_forget = internal::FireAndForgetHandler(std::move(method));
  }
  template <typename Request, typename Response>
  void AddServerStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, const Request*, ServerWriter<Response>*)> method) {
    handlers_.at(method_index).stream = internal::ServerStreamingHandler(std::move(method));
  }
  template <typename Request, typename Response>
  void AddClientStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, ServerReader<Request>*, Response*)> method) {
    handlers_.at(method_index).stream = internal::ClientStreamingHandler(std::move(method));
  }
  template <typename Request, typename Response>
  void AddBidiStreamingHandler(
      size_t method_index,
      std::function<Status(ServerContext*, ServerReaderWriter<Response, Request>*)> method) {
    handlers_.at(method_index).stream = internal::BidiStreamingHandler(std::move(method));
  }

 private:
  friend struct internal::ServiceAccess;
  const ServiceSpec& spec_;
  std::vector<internal::MethodHandlers> handlers_;
};

}  // namespace brokrpc

#endif  // BROKRPC_SERVICE_H_
