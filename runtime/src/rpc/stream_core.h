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

#include "broker_core.h"
#include "brokrpc/message.h"
#include "brokrpc/server_context.h"
#include "brokrpc/stream.h"
#include "publisher_impl.h"
#include "rpc/wire.h"

namespace brokrpc::internal {

inline constexpr std::string_view kStreamRequestType = "brokrpc.spec.v1.StreamRequest";
inline constexpr std::string_view kStreamResponseType = "brokrpc.spec.v1.StreamResponse";
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
// peer whose queue vanished ends the stream with UNAVAILABLE. Thread-safe.
class StreamCore : public std::enable_shared_from_this<StreamCore> {
 public:
  enum class Role { kClient, kServer };

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

 private:
  // An envelope waiting in the outbox (see Flush).
  struct Outgoing {
    enum class Kind { kPart, kEnd, kCredit, kPing } kind = Kind::kPart;
    google::protobuf::Any payload{};  // kPart
    Status status{};                  // kEnd
    uint32_t grant = 0;               // kCredit
  };

  // Publishes one envelope built by `fill` with the next index (caller holds mu_).
  void PublishLocked(const std::function<void(void* envelope)>& fill, const std::string& reply_to);
  // Queues an envelope; the transport thread publishes the outbox in order (Flush).
  void EnqueueLocked(Outgoing outgoing);
  // Transport thread: publishes what is queued, consecutive parts merged into one envelope.
  void Flush();
  void SendEndLocked(const Status& status);
  void FinishLocked(const Status& status);
  void ArmKeepalive();
  void OnKeepalive();
  bool WaitLocked(std::unique_lock<std::mutex>& lock, const std::function<bool()>& ready);
  void DeadlineLocked();
  // Takes the next inbound message (granting credit as Read does); false when there is none.
  bool TakeLocked(google::protobuf::Any* out);
  // Posts on_done_ once the stream is done and it is set.
  void MaybeDoneLocked();
  // Completes pending asynchronous operations that can complete now.
  void RunPendingLocked();

  const Role role_;
  std::shared_ptr<Broker> broker_;
  BrokerCore& core_;
  std::shared_ptr<PublisherImpl> publisher_holder_;
  PublisherImpl& publisher_;
  const std::string exchange_;
  const StreamSettings settings_;
  std::string id_bytes_;
  std::string id_hex_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string peer_address_;  // routing key of the peer's queue ("" until known)
  uint64_t next_out_index_ = 0;
  uint64_t next_in_index_ = 0;
  uint32_t send_credit_ = 0;
  std::deque<google::protobuf::Any> inbound_;
  uint32_t consumed_since_grant_ = 0;
  bool peer_half_closed_ = false;  // no more messages will arrive
  bool half_closed_ = false;       // we sent End{OK} (client) or End (server)
  bool ended_ = false;             // final status known
  bool end_sent_ = false;
  Status final_status_;
  ServerContext* context_ = nullptr;
  SystemClock::time_point last_sent_;
  uint64_t keepalive_timer_ = 0;  // under mu_: the timer thread re-arms it
  std::deque<Outgoing> outbox_;
  bool flush_scheduled_ = false;
  std::function<void(std::optional<google::protobuf::Any>)> pending_read_;
  std::deque<std::pair<google::protobuf::Any, std::function<void(bool)>>> pending_writes_;
  std::vector<std::function<void(Status)>> pending_finish_;
  std::function<void()> on_done_;  // under mu_: FinishLocked reads it on the transport thread
  bool done_called_ = false;
};

// Packs / unpacks stream payloads.
void PackAny(const google::protobuf::Message& message, google::protobuf::Any* any);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_CORE_H_
