// ServerImpl: serves registered services — a consumer per method, replies, drain on shutdown.
#ifndef BROKRPC_SRC_RPC_SERVER_IMPL_H_
#define BROKRPC_SRC_RPC_SERVER_IMPL_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker_core.h"
#include "brokrpc/server.h"
#include "consumer_impl.h"
#include "publisher_impl.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

class ServerImpl {
 public:
  ServerImpl(std::shared_ptr<Broker> broker, ServerOptions options);
  ~ServerImpl();

  Status RegisterService(Service* service);
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

  AsyncConsumerHandler UnaryHandler(const Endpoint& endpoint);
  AsyncConsumerHandler FireAndForgetHandler(const Endpoint& endpoint);
  // Publishes `reply` to the request's exchange / reply_to; acks the request once confirmed.
  void SendReply(const Message& request, const std::map<std::string, std::string>& metadata,
                 Message reply, Settle settle);
  void SendError(const Message& request, const Status& status, Settle settle);
  void Track(ServerContext* context, bool active);
  void StopEndpoints(size_t count, SystemClock::time_point deadline);

  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  ServerOptions options_;
  MiddlewareChain<Message, ConsumeResult> chain_;
  std::unique_ptr<PublisherImpl> replies_;

  mutable std::mutex mu_;
  std::condition_variable state_cv_;
  State state_ = State::kIdle;
  std::vector<Endpoint> endpoints_;

  std::mutex active_mu_;
  std::set<ServerContext*> active_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_SERVER_IMPL_H_
