// ReplyRouter: the client's reply queue and the calls and streams that wait on it.
#ifndef BROKRPC_SRC_RPC_REPLY_ROUTER_H_
#define BROKRPC_SRC_RPC_REPLY_ROUTER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "brokrpc/broker.h"
#include "brokrpc/client_context.h"
#include "brokrpc/message.h"
#include "brokrpc/status.h"
#include "messaging/broker_core.h"
#include "rpc/connection_waiters.h"
#include "rpc/stream_core.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

// Owns the reply-queue lifecycle (an exclusive, auto-delete "response.<uuid hex>" queue
// consumed without acks, the exchanges it is bound to, a new queue after the old one was lost)
// and the correlation map (unary calls and streams by correlation id).
//
// Thread-safe. The queue is published as an immutable snapshot (ReplyQueue) replaced under a
// mutex, so readers never see a half-written name/consumer pair. Completions run on whichever
// thread settles the call (the I/O thread for replies, the timer thread at the deadline, the
// canceller, the destroying thread) with no lock held, and must be quick.
class ReplyRouter : public std::enable_shared_from_this<ReplyRouter> {
 public:
  // `unroutable`: the request was returned 312 NO_ROUTE (no server has seen it).
  using Completion = std::function<void(Status status, Message* reply, bool unroutable)>;

  // One declared reply queue. Immutable: a new queue, or the loss of this one, replaces the
  // snapshot instead of changing it.
  struct ReplyQueue {
    std::string name;
    uint64_t consumer = 0;
    // False once the broker lost the queue: the next Ensure() declares a new one.
    bool usable = true;
  };

  explicit ReplyRouter(std::shared_ptr<Broker> broker);
  // Cancels the streams, releases the consumer and completes the waiting calls with CANCELLED.
  ~ReplyRouter();
  ReplyRouter(const ReplyRouter&) = delete;
  ReplyRouter& operator=(const ReplyRouter&) = delete;

  // The usable reply queue, declared (connecting first when needed) if there is none yet or
  // the last one was lost.
  StatusOr<std::shared_ptr<const ReplyQueue>> Ensure();
  // The current snapshot; null before the first Ensure() succeeded.
  std::shared_ptr<const ReplyQueue> current() const;
  // Binds `queue` to `exchange` (routing key = the queue's name) unless already bound.
  Status Bind(const ReplyQueue& queue, const std::string& exchange);
  // Waits until the connection is up (or refused) or `deadline` passes; returns whether it
  // is settled.
  bool WaitUntilConnected(SystemClock::time_point deadline);
  // The same without blocking (ConnectionWaiters): reserve an id, install the call's cancel
  // hook (CancelWaiting), then wait.
  uint64_t ReserveWaiter();
  void WhenConnected(uint64_t id, SystemClock::time_point deadline, std::function<void(bool)> then);
  // Ends a WhenConnected waiter now (its call was cancelled).
  void CancelWaiting(uint64_t id);

  // Registers call `id`; `done` runs once, when Finish(id) settles it: a reply, a failure, or
  // DEADLINE_EXCEEDED at `deadline` (timer thread). `context` (may be null) receives the
  // reply's metadata and loses its cancel hook when the call is settled.
  void AddCall(const std::string& id, ClientContext* context, SystemClock::time_point deadline,
               Completion done);
  // Completes call `id` if still pending; returns whether it did.
  bool Finish(const std::string& id, Status status, Message* reply, bool unroutable = false);
  // Routes the stream's envelopes to it until it is done.
  void AddStream(const std::shared_ptr<StreamCore>& stream);

  // Fails every pending call and stream with UNAVAILABLE (connection lost, reply queue gone).
  void FailPending(const Status& why);
  // Replies that arrived for no waiting call or stream (late or duplicate), since creation.
  uint64_t dropped_replies() const { return dropped_replies_.load(); }

  // A delivery on the reply queue (public for tests: the consumer calls it).
  void OnReply(Message&& reply);

 private:
  struct Pending {
    Completion done;
    ClientContext* context = nullptr;
    uint64_t timer = 0;
  };

  void OnQueueLost(const std::string& queue_name, const Status& why);
  void Publish(std::shared_ptr<const ReplyQueue> queue);

  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;

  // Serialises declaring, binding and the connection listener's registration.
  std::mutex setup_mu_;
  uint64_t listener_id_ = 0;     // guarded by setup_mu_
  std::string bound_for_;        // the queue `bound_` belongs to (setup_mu_)
  std::set<std::string> bound_;  // exchanges bound to it (setup_mu_)

  // Calls waiting for the connection to come back (woken by the connection listener).
  const std::shared_ptr<ConnectionWaiters> waiters_;

  mutable std::mutex queue_mu_;  // guards only the pointer below
  std::shared_ptr<const ReplyQueue> queue_;

  std::mutex calls_mu_;
  std::unordered_map<std::string, Pending> calls_;
  std::unordered_map<std::string, std::shared_ptr<StreamCore>> streams_;
  std::atomic<uint64_t> dropped_replies_{0};
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_REPLY_ROUTER_H_
