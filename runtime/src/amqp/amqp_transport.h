// AmqpTransport: the Transport over rabbitmq-c, with one I/O thread owning the connection.
#ifndef BROKRPC_SRC_AMQP_AMQP_TRANSPORT_H_
#define BROKRPC_SRC_AMQP_AMQP_TRANSPORT_H_

#include <amqp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "amqp/amqp_connection.h"
#include "amqp/amqp_properties.h"
#include "amqp/channel_table.h"
#include "amqp/command_queue.h"
#include "amqp/confirm_tracker.h"
#include "amqp/frame_assembler.h"
#include "amqp/reconnect_backoff.h"
#include "amqp/topology_journal.h"
#include "base/wake_fd.h"
#include "transport/broker_url.h"
#include "transport/connection_listeners.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// The I/O thread polls the socket and the command queue's wake-up fd together. Other threads
// post commands; blocking methods post and wait. Whoever holds conn_mu_ uses rabbitmq-c: the
// I/O thread, a thread writing directly while the I/O thread waits in poll (TryDirect), or a
// synchronous caller leading (Lead: it reads its own reply, so the I/O thread is not woken).
// Heartbeats: the loop wakes at least every half interval and reads, which makes rabbitmq-c send
// a heartbeat when one is due and report a broker silent for two intervals (then: lost).
// The parts with one job each are ReconnectBackoff, TopologyJournal, ChannelTable and
// FrameAssembler; the class itself is spread over amqp_transport.cc (connection, channels),
// amqp_transport_loop.cc (poll / command loop, incoming frames), amqp_transport_topology.cc,
// amqp_transport_publish.cc and amqp_transport_consume.cc.
class AmqpTransport final : public Transport {
 public:
  explicit AmqpTransport(BrokerUrl url);
  ~AmqpTransport() override;

  Status Connect() override;
  void Close() override;
  bool is_connected() const override { return connected_.load(); }
  std::chrono::seconds heartbeat() const override {
    return std::chrono::seconds(heartbeat_.load());
  }
  // True on the I/O thread, and on a thread while it writes to the connection directly.
  bool OnTransportThread() const override;
  std::optional<std::string> blocked_reason() const override;

  Status DeclareExchange(const ResolvedExchange& exchange) override;
  StatusOr<std::string> DeclareQueue(const ResolvedQueue& queue) override;
  Status BindQueue(const std::string& queue, const std::string& exchange,
                   const std::string& binding_key, const FieldTable& arguments) override;
  Status UnbindQueue(const std::string& queue, const std::string& exchange,
                     const std::string& binding_key, const FieldTable& arguments) override;
  Status DeleteQueue(const std::string& queue) override;
  Status DeleteExchange(const std::string& exchange) override;

  uint32_t CreatePublishLane(bool confirms) override;
  void ReleasePublishLane(uint32_t lane) override;
  void Publish(uint32_t lane, PublishRequest request, PublishDone done) override;

  StatusOr<uint64_t> StartConsumer(ConsumeRequest request) override;
  void Settle(uint64_t consumer_id, uint64_t delivery_tag, Settlement settlement) override;
  void ReplyAndAck(uint64_t consumer_id, uint64_t delivery_tag, PublishRequest reply,
                   PublishDone done) override;
  Status CancelConsumer(uint64_t consumer_id) override;
  void ReleaseConsumer(uint64_t consumer_id) override;

  void SetLeadIntent(bool intends) override;
  bool Lead(const std::function<bool()>& done) override;
  void WakeLeader() override;

  bool Execute(std::function<void()> task) override { return Post(std::move(task)); }
  uint64_t AddConnectionListener(ConnectionListener listener) override;
  void RemoveConnectionListener(uint64_t id) override;
  Status refusal() const override;

 private:
  using Clock = std::chrono::steady_clock;
  // Delivery tags handed out carry the connection generation above this bit (the first
  // connection is generation 1, so tags are never equal to a later connection's).
  static constexpr int kTagGenerationShift = 48;

  // Opens a channel and starts `c`'s consumer on it.
  Status Subscribe(uint64_t id, ConsumerState& c);

  // Thread plumbing.
  void StartThread();
  bool Post(CommandQueue::Command command);
  template <typename T>
  T Call(std::function<T()> fn, T not_running);
  void Loop();
  // Returns the number of commands run.
  size_t RunCommands();
  // Runs `operation` on the calling thread when the connection is free (the I/O thread waits in
  // poll), so that a publish, reply or ack needs no wake-up of the I/O thread; runs it at once
  // when this thread holds the connection already. False when the I/O thread holds it: the
  // caller posts the operation instead.
  template <typename F>
  bool Direct(F&& operation);
  bool TryDirect(const std::function<void()>& operation);
  bool HoldsConnection() const;
  // Whether a thread may lead now (conn_mu_ held): connected, no leader, no consumer that acks
  // (a server's deliveries must not wait for a caller's turn).
  bool MayLead() const;
  // After a leader stepped down: whether the I/O thread must watch the socket again (conn_mu_).
  bool IoMustWatch() const;
  // Frames read but not yet dispatched (rabbitmq-c's buffers); poll() would not report them.
  bool Buffered() const;
  // True (and the next check scheduled) when a read is due for heartbeats (conn_mu_ held).
  bool HeartbeatReadDue();
  int PollTimeoutMs() const;

  // I/O-thread only.
  Status DoConnect();
  // One reconnect attempt (after a lost connection); schedules the next on failure.
  void TryReconnect();
  // Re-declares what was declared and re-subscribes the consumers after a reconnect.
  void RestoreTopology();
  void NotifyRestored();
  void DoDisconnect(bool graceful, const Status& why, bool notify);
  // Processes buffered frames, reading the socket once when `read_socket`.
  // Returns the number of frames dispatched.
  int DrainFrames(bool read_socket);
  void OnFrame(const amqp_frame_t& frame);
  void OnMethod(uint16_t channel, const amqp_method_t& method);
  void OnContentComplete(uint16_t channel, Content&& content);
  void OnChannelClosed(uint16_t channel, int reply_code, const Status& why);
  void ConnectionLost(const Status& why);
  StatusOr<uint16_t> OpenChannel(ChannelUse use);
  void CloseChannel(uint16_t channel);
  // Runs a synchronous AMQP method on the topology channel; handles channel / connection close.
  Status OnTopologyChannel(const std::string& operation,
                           const std::function<void(uint16_t channel)>& call);
  // Checks the last rpc reply of `channel`; sends close-ok / handles loss on broker closes.
  Status CheckReply(const std::string& operation, uint16_t channel);
  Status CheckWrite(const std::string& operation, int rc);
  void DoPublish(uint32_t lane_id, PublishRequest& request, PublishDone& done);
  void DoSettle(uint64_t consumer_id, uint64_t tag, Settlement settlement);
  void DoReplyAndAck(uint64_t consumer_id, uint64_t tag, PublishRequest& reply, PublishDone& done);
  // Broker flow control (amqp_transport_flow.cc). While blocked_, a publish waits in held_.
  void Hold(std::function<void()> operation);
  void OnBlocked(std::string reason);
  // Runs what waited (conn_mu_ held): it goes out now, or fails when the connection is gone.
  void OnUnblocked();
  // The consumer's raw AMQP delivery tag when `tag` is of the current connection and the consumer
  // still has a channel; 0 otherwise.
  uint64_t LiveTag(const ConsumerState& consumer, uint64_t tag) const;
  // Acks the delivery at the end of this loop pass, with the other acks that became due.
  void QueueAck(uint64_t consumer_id, ConsumerState& consumer, uint64_t amqp_tag);
  // basic.publish of `request` on `channel`; the write error (and a lost connection) otherwise.
  Status WriteMessage(uint16_t channel, const PublishRequest& request, std::string_view operation);
  // The refusal of a message larger than max_message_size.
  PublishOutcome Oversized(std::string_view operation, const Message& message) const;
  // Writes the acks that became due (once per loop pass, and before a consumer channel closes).
  void FlushAcks();
  void FlushAcks(ConsumerState& consumer);
  Status NotConnected(const std::string& operation) const;
  // After a refused reconnect: stop reconnecting, keep the refusal, tell the listeners.
  void StopOnRefusal(const Status& refused);

  // The transport whose connection this thread holds right now (its I/O thread always; another
  // thread while it writes directly or leads).
  static thread_local const AmqpTransport* tls_driving_;
  // The transport this thread will lead on after its next writes (SetLeadIntent).
  static thread_local const AmqpTransport* tls_lead_intent_;

  const BrokerUrl url_;
  CommandQueue commands_;
  std::mutex thread_mu_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  bool accepting_ = false;  // guarded by thread_mu_
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::atomic<int> heartbeat_{0};
  std::atomic<uint32_t> next_lane_{1};
  std::atomic<uint64_t> next_consumer_{1};
  ConnectionListeners listeners_;

  // The rabbitmq-c connection and everything below belong to whoever holds conn_mu_: the I/O
  // thread, except while it waits in poll, or a thread writing directly (TryDirect).
  std::mutex conn_mu_;
  std::unique_ptr<AmqpConnection> conn_;
  // Leader/follower (see Transport::Lead): a leading caller reads the socket; the I/O thread
  // leaves it alone then, and after a leader stepped down until something needs it again (a
  // write by another thread, a command, a consumer, a confirm still due, a lost connection).
  bool leader_active_ = false;
  bool io_watches_ = true;                   // the I/O thread polls the socket
  bool handback_wanted_ = false;             // someone else needs the socket read after the leader
  std::atomic<bool> leader_polling_{false};  // the leader waits in poll(), conn_mu_ released
  WakeFd lead_wake_;                         // ends the leader's poll()
  bool reconnect_wanted_ = false;
  // The broker refused a reconnect: no more attempts until Connect() succeeds (refusal()).
  bool reconnect_refused_ = false;
  mutable std::mutex refusal_mu_;  // guards refusal_, readable from any thread
  Status refusal_;
  std::chrono::steady_clock::time_point next_attempt_;
  ReconnectBackoff backoff_;
  // Connection generation, in the top 16 bits of the delivery tags handed out (stale tags
  // from a previous connection are ignored when settled).
  uint64_t generation_ = 0;
  TopologyJournal journal_;  // what to declare again after a reconnect
  std::chrono::steady_clock::time_point next_heartbeat_check_;
  ChannelTable channels_;
  // The lanes and consumers, kept in the channel table (which finds them by channel).
  std::unordered_map<uint32_t, Lane>& lanes_ = channels_.lanes();
  std::unordered_map<uint64_t, ConsumerState>& consumers_ = channels_.consumers();
  uint16_t topology_channel_ = 0;
  // Publishes (and replies with their acks) waiting while the broker blocks the connection.
  bool blocked_ = false;
  std::deque<std::function<void()>> held_;
  mutable std::mutex blocked_mu_;  // guards blocked_reason_, readable from any thread
  std::optional<std::string> blocked_reason_;
  FrameAssembler contents_;         // messages being assembled, per channel
  std::vector<uint64_t> acks_due_;  // consumers with acks to write at the end of this pass
  AmqpArena publish_arena_;
};

template <typename F>
bool AmqpTransport::Direct(F&& operation) {
  if (HoldsConnection()) {
    operation();
    return true;
  }
  return TryDirect(std::function<void()>(std::ref(operation)));
}

// Runs `fn` on the I/O thread and waits for its result (`not_running` when the thread has stopped).
template <typename T>
T AmqpTransport::Call(std::function<T()> fn, T not_running) {
  if (OnTransportThread()) {
    return T(FailedPreconditionError(
        "a blocking broker operation was called on the connection's I/O thread (from a "
        "transport callback); call it from another thread"));
  }
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  if (!Post([promise, fn = std::move(fn)] { promise->set_value(fn()); })) return not_running;
  return future.get();
}

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_AMQP_TRANSPORT_H_
