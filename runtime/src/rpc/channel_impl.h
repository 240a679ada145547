// ChannelImpl: the RPC client, composed of a ReplyRouter (reply queue, correlation map), a
// CallAttempts driver (retries, deadline) and the shared call preparation.
#ifndef BROKRPC_SRC_RPC_CHANNEL_IMPL_H_
#define BROKRPC_SRC_RPC_CHANNEL_IMPL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "brokrpc/channel.h"
#include "brokrpc/impl/call_paths.h"
#include "messaging/broker_core.h"
#include "messaging/publisher_impl.h"
#include "rpc/call_attempts.h"
#include "rpc/call_observers.h"
#include "rpc/reply_router.h"
#include "rpc/stream_core.h"

namespace brokrpc::internal {

// Thread-safe. Completions of StartUnary run on the handler pool; of StartUnaryInline and of
// the attempts behind them on whichever thread settles the call (the thread reading replies —
// the I/O thread, or a synchronous caller leading — the timer thread for deadlines, the caller
// for early failures) and must be quick. A synchronous call reads its own reply (SyncWaiter).
class ChannelImpl : public AttemptStarter, public std::enable_shared_from_this<ChannelImpl> {
 public:
  ChannelImpl(std::shared_ptr<Broker> broker, ChannelOptions options);
  ~ChannelImpl() override;

  Status Connect();
  Status CallUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                   Message request, Message* reply);
  // `on_pool`: run `done` on the handler pool (user callbacks); else on the settling thread.
  void StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                  Message request, UnaryDone done, bool on_pool);
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
  uint64_t dropped_replies() const { return router_->dropped_replies(); }

  // One attempt of a unary call, without interceptors or retries (AttemptStarter).
  void StartAttempt(ClientCall& call, bool may_block, AttemptDone done) override;

 private:
  // The call's attempts, blocking the calling thread (a SyncWaiter) until the last one ended.
  Status RunSync(ClientCall& call);
  // Declares `exchange` once; with `bind_reply_queue` binds `reply_queue` to it.
  Status EnsureExchange(const ResolvedExchange& exchange,
                        const ReplyRouter::ReplyQueue* reply_queue);
  // UNAVAILABLE while the broker blocks publishing (a resource alarm) and the caller does not
  // wait for ready; else OK (the publish waits in the transport until the broker unblocks).
  Status CheckNotBlocked(const ClientContext& ctx) const;
  // Not blocked (CheckNotBlocked) and connected; during an outage UNAVAILABLE at once, or
  // (wait_for_ready) after waiting for the reconnect until `deadline`.
  Status CheckConnected(ClientContext* ctx, SystemClock::time_point deadline);
  // A call with wait_for_ready during an outage (the transport reconnecting): it has to wait.
  bool MustWaitForReconnect(const ClientContext& ctx) const;
  // Runs `next` after `delay` on a handler-pool thread (the backoff of an asynchronous call).
  void ScheduleRetry(std::chrono::milliseconds delay, std::function<void()> next);
  // Prepares and sends the opening of `stream` for `call` (the interceptors' terminal);
  // `watcher` (may be null) is handed to the stream just before the opening goes out.
  Status SendOpening(StreamCore& stream, ClientCall& call, const google::protobuf::Message* initial,
                     bool last, std::shared_ptr<StreamWatcher> watcher);

  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  ChannelOptions options_;
  // The observers among options_.interceptors, and the other interceptors (streams run them
  // apart: the observers around the whole stream, the others around its opening).
  std::shared_ptr<const CallObservers> observers_;
  MiddlewareChain<ClientCall, Status> opening_interceptors_;
  std::shared_ptr<PublisherImpl> publisher_;  // shared with the streams
  std::shared_ptr<ReplyRouter> router_;

  std::mutex exchanges_mu_;
  std::set<std::string> exchanges_ready_;  // declared by this channel (exchanges_mu_)
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CHANNEL_IMPL_H_
