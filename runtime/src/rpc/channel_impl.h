// ChannelImpl: the RPC client — reply queue, correlation map, deadlines, cancellation.
#ifndef BROKRPC_SRC_RPC_CHANNEL_IMPL_H_
#define BROKRPC_SRC_RPC_CHANNEL_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "broker_core.h"
#include "brokrpc/channel.h"
#include "publisher_impl.h"
#include "rpc/stream_core.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// Thread-safe. Completions run on whichever thread settles the call (I/O thread for replies,
// timer thread for deadlines, the caller for early failures) and must be quick.
class ChannelImpl : public std::enable_shared_from_this<ChannelImpl> {
 public:
  // `unroutable`: the request was returned 312 NO_ROUTE (no server has seen it).
  using Completion = std::function<void(Status status, Message* reply, bool unroutable)>;

  ChannelImpl(std::shared_ptr<Broker> broker, ChannelOptions options);
  ~ChannelImpl();

  Status Connect();
  Status CallUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                   Message request, Message* reply);
  void StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                  Message request, Channel::UnaryDone done);
  Status Publish(const ServiceSpec& service, size_t method, ClientContext* context,
                 Message message);
  void StartPublish(const ServiceSpec& service, size_t method, ClientContext* context,
                    Message message, std::function<void(Status)> done);

  std::shared_ptr<StreamCore> OpenStream(const ServiceSpec& service, size_t method,
                                         ClientContext* context,
                                         const google::protobuf::Message* initial, bool last);

  const std::shared_ptr<Broker>& broker() const { return broker_; }
  const ChannelOptions& options() const { return options_; }
  // Replies that arrived for calls no longer waiting (late or duplicate), since creation.
  uint64_t dropped_replies() const { return dropped_replies_.load(); }

 private:
  struct Pending {
    Completion done;
    ClientContext* context = nullptr;
    uint64_t timer = 0;
  };

  // An asynchronous call and its retries.
  struct AsyncAttempts {
    std::shared_ptr<ClientCall> call;
    Message original;
    RetryPolicy policy;
    std::chrono::milliseconds backoff{0};
    Channel::UnaryDone done;
    int attempt = 0;
  };
  void StartAsyncAttempt(std::shared_ptr<AsyncAttempts> attempts);
  // One attempt of a synchronous call (RunSync adds the retries).
  Status RunAttempt(ClientCall& call, bool* unroutable);

  // The call without interceptors; `use_timer` arms a deadline timer (async calls).
  void StartCall(ClientCall& call, bool use_timer, Completion done);
  Status RunSync(ClientCall& call);
  // Headers, exchange, routing key and the deadline of a call. `default_deadline`: apply the
  // channel's default timeout when the caller set no deadline (calls that wait for a reply).
  Status Prepare(ClientCall& call, bool default_deadline, ResolvedExchange* exchange,
                 std::optional<SystemClock::time_point>* deadline);
  Status EnsureReplyQueue();
  Status EnsureExchange(const ResolvedExchange& exchange, bool bind_reply_queue);
  void OnReply(Message&& reply);
  // Fails every pending call and stream with UNAVAILABLE (connection lost, reply queue gone).
  void FailPending(const Status& why);
  void OnReplyQueueLost(const Status& why);
  // OK when connected; during an outage UNAVAILABLE at once, or (wait_for_ready) after waiting
  // for the reconnect until `deadline`.
  Status CheckConnected(ClientContext* ctx, SystemClock::time_point deadline);
  bool WaitForReady(SystemClock::time_point deadline);
  // Completes `correlation_id` if still pending; returns whether it did.
  bool Finish(const std::string& correlation_id, Status status, Message* reply,
              bool unroutable = false);

  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  ChannelOptions options_;
  std::shared_ptr<PublisherImpl> publisher_;  // shared with the streams
  uint64_t listener_id_ = 0;

  std::mutex setup_mu_;
  std::condition_variable ready_cv_;  // notified when the connection is restored
  std::atomic<bool> reply_ready_{false};
  std::string reply_queue_;
  uint64_t reply_consumer_ = 0;
  std::set<std::string> exchanges_ready_;  // guarded by setup_mu_
  std::set<std::string> exchanges_bound_;  // guarded by setup_mu_

  std::mutex calls_mu_;
  std::unordered_map<std::string, Pending> calls_;
  // Open streams by correlation id (guarded by calls_mu_).
  std::unordered_map<std::string, std::shared_ptr<StreamCore>> streams_;
  std::atomic<uint64_t> dropped_replies_{0};
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CHANNEL_IMPL_H_
