// StreamCore: one end of a stream — envelopes, ordering, credit, ending, liveness.
#ifndef BROKRPC_SRC_RPC_STREAM_CORE_H_
#define BROKRPC_SRC_RPC_STREAM_CORE_H_

#include <google/protobuf/any.pb.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "brokrpc/message.h"
#include "brokrpc/server_context.h"
#include "brokrpc/stream.h"
#include "messaging/broker_core.h"
#include "messaging/publisher_impl.h"
#include "rpc/stream_codec.h"
#include "rpc/stream_state.h"
#include "rpc/stream_watcher.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

inline constexpr uint32_t kDefaultStreamWindow = 64;
inline constexpr std::chrono::milliseconds kDefaultStreamKeepalive{1000};

// Settings of one stream end.
struct StreamSettings {
  uint32_t window = kDefaultStreamWindow;
  std::chrono::milliseconds keepalive = kDefaultStreamKeepalive;
  std::optional<SystemClock::time_point> deadline;
};

// A stream end (client or server). Application threads Write / Read / Finish (blocking, bounded
// by the deadline); the transport thread feeds envelopes in with OnEnvelope; a timer sends pings
// while the stream is idle. Every envelope is published mandatory to the peer's queue, so a
// peer whose queue vanished ends the stream with UNAVAILABLE. The rules (indexes, credit,
// half-close, ending) are StreamState's, the envelopes' encoding the role's StreamCodec; this
// class adds the locking, waiting, asynchronous operations, publishing and timers. Thread-safe:
// one mutex guards everything that changes.
class StreamCore : public std::enable_shared_from_this<StreamCore>, private StreamSink {
 public:
  using Role = StreamRole;

  // Keeps `broker` and `publisher` alive: queued envelopes may go out after their owners (a
  // Channel or a Server) are gone.
  StreamCore(Role role, std::shared_ptr<Broker> broker, std::shared_ptr<PublisherImpl> publisher,
             std::string exchange, StreamSettings settings);
  ~StreamCore();

  const std::string& id_hex() const { return id_hex_; }
  Role role() const { return role_; }

  // Client: publishes the opening (to the method's routing key) with `initial` payloads.
  void Open(const std::string& routing_key, const std::string& reply_to, const FieldTable& headers,
            std::vector<google::protobuf::Any> initial, bool last);
  // Server: accepts an opening `start` (already decoded) from `request`; answers with the
  // server's window and `stream_queue` as the address for the rest of the stream.
  void Accept(const Message& request, const std::string& stream_queue, std::string id_bytes,
              std::vector<google::protobuf::Any> initial, bool last, uint32_t client_window);

  bool Write(const google::protobuf::Message& message);
  bool Read(google::protobuf::Message* message);

  // Asynchronous forms: callbacks run on a handler-pool thread. One ReadAsync may be pending at
  // a time; it gets the next message, or nothing at the end of the stream. WriteAsync queues the
  // message until there is credit and reports whether it was sent. FinishAsync gets the final
  // status.
  void ReadAsync(std::function<void(std::optional<google::protobuf::Any>)> done);
  void WriteAsync(const google::protobuf::Message& message, std::function<void(bool)> done);
  void FinishAsync(std::function<void(Status)> done);
  // Client half-close (End{OK}). Idempotent.
  bool WritesDone();
  // Client: waits for the server's End; its status.
  Status Finish();
  // Ends the stream now with `status` (sent to the peer as End) unless it already ended.
  void Cancel(const Status& status);
  // Server: sends the final End{status} after the handler returned.
  void End(const Status& status);
  // Ends the stream locally with `status` (no message to the peer: it is unreachable).
  void Fail(const Status& status);
  // True once the peer cancelled or the stream failed (the server handler should stop).
  bool cancelled() const;

  // Transport thread: one envelope (StreamRequest for a server, StreamResponse for a client).
  void OnEnvelope(const Message& message);

  // Runs once (on the handler pool) when the stream ended (both directions closed or failed):
  // unregisters it. Set after the stream ended already, it is posted at once.
  void set_on_done(std::function<void()> on_done);
  // Server: the handler's context, cancelled when the stream is.
  void set_context(ServerContext* context);
  // The observers' view of this stream: set before the application uses it (client: before
  // Open; server: before the handler runs), kept for the stream's life.
  void set_watcher(std::shared_ptr<StreamWatcher> watcher);

 private:
  // StreamSink: queues an envelope; the transport thread publishes the outbox in order (Flush).
  // Caller holds mu_.
  bool Send(StreamOutgoing outgoing) override;
  // Publishes one envelope with `event` and the next index (caller holds mu_).
  void PublishLocked(StreamEvent event, const std::string& reply_to);
  // Transport thread: publishes what is queued, consecutive parts merged into one envelope.
  void Flush();
  // After every change of state_ (caller holds mu_): cancels the server context when the stream
  // ended with an error, wakes the waiters, completes pending asynchronous operations and posts
  // on_done_ once the stream is done.
  void SettleLocked();
  // SettleLocked if the stream ended since it last ran (a send the stopped transport refused).
  void SettleIfEndedLocked();
  void ArmKeepalive();
  void OnKeepalive();
  bool WaitLocked(std::unique_lock<std::mutex>& lock, const std::function<bool()>& ready);
  bool DeadlinePassed() const;
  // Completes pending asynchronous operations that can complete now.
  void RunPendingLocked();
  // Posts on_done_ once the stream is done and it is set.
  void MaybeDoneLocked();
  // Client: the opening could not be delivered (`unroutable`: the broker returned it).
  void FailOpening(const Status& status, bool unroutable);
  // Client: tells the watcher the final status (caller holds mu_).
  void ReportEndLocked();

  const Role role_;
  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  std::shared_ptr<PublisherImpl> publisher_holder_;
  PublisherImpl& publisher_;
  const std::string exchange_;
  const StreamSettings settings_;
  const StreamCodec& codec_;
  // Set by the constructor, and by Accept (server; under mu_) before any envelope can arrive or
  // the handler runs: read without the lock.
  std::string id_hex_;
  std::string id_bytes_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  StreamState state_;
  bool end_reported_ = false;  // SettleLocked saw state_.ended()
  ServerContext* context_ = nullptr;
  SystemClock::time_point last_sent_;
  uint64_t keepalive_timer_ = 0;  // the timer thread re-arms it
  std::deque<StreamOutgoing> outbox_;
  bool flush_scheduled_ = false;
  std::function<void(std::optional<google::protobuf::Any>)> pending_read_;
  std::deque<std::pair<google::protobuf::Any, std::function<void(bool)>>> pending_writes_;
  std::vector<std::function<void(Status)>> pending_finish_;
  std::function<void()> on_done_;  // read by SettleLocked, on the transport thread too
  bool done_called_ = false;
  std::shared_ptr<StreamWatcher> watcher_;  // null when nothing observes the stream
  bool opening_unroutable_ = false;
};

// Packs / unpacks stream payloads.
void PackAny(const google::protobuf::Message& message, google::protobuf::Any* any);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_CORE_H_
