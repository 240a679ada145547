// StreamState: the rules of one stream end — envelope indexes, credit, half-close, ending and
// keepalive — as a pure state machine (no I/O, no threads, no clock).
#ifndef BROKRPC_SRC_RPC_STREAM_STATE_H_
#define BROKRPC_SRC_RPC_STREAM_STATE_H_

#include <google/protobuf/any.pb.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "brokrpc/status.h"
#include "rpc/stream_event.h"

namespace brokrpc::internal {

// An envelope the state machine wants sent (one payload per part: the sender merges parts).
// A plain value; not synchronised.
struct StreamOutgoing {
  enum class Kind { kPart, kEnd, kCredit, kPing } kind = Kind::kPart;
  google::protobuf::Any payload{};  // kPart
  Status status{};                  // kEnd
  uint32_t grant = 0;               // kCredit
};

// Where the state machine's envelopes go, in order (StreamCore queues them for the transport).
// Called by StreamState with the owner's lock held.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `outgoing`; false when the transport has stopped (the envelope is dropped).
  virtual bool Send(StreamOutgoing outgoing) = 0;
};

// The state of one stream end. Inputs are events (an envelope arrived, the application wrote,
// read, half-closed, cancelled, a keepalive tick, ...); outputs are envelopes handed to the sink
// and the state read back through the accessors (ended, final status, what is readable).
// Rules (docs/wire-protocol.md): indexes count each direction from 0 without gaps (a duplicate
// is dropped, a gap ends the stream with DATA_LOSS); a sender spends one credit per message and
// gets more from the peer's Start window and Credit grants; a receiver holding more than its
// window ends the stream with RESOURCE_EXHAUSTED and grants credit once half the window has
// been read; End is sent at most once and only once the peer's address is known; the first
// final status wins. Not synchronised: the owner serialises every call (StreamCore's mutex).
class StreamState {
 public:
  using Role = StreamRole;
  // `window`: how many inbound messages this end buffers; `id_hex`: the stream id, for error
  // messages.
  StreamState(Role role, uint32_t window, std::string id_hex, StreamSink& sink);

  // ---- Opening
  // Client: the opening (StreamRequest.start) goes out; returns its index.
  uint64_t Open(bool last);
  // Server: the opening arrived from `peer_address` (its reply_to) with the client's window and
  // first messages. The server's Start goes out next (NextOutIndex).
  void Accept(std::string id_hex, std::string peer_address, uint32_t client_window,
              std::vector<google::protobuf::Any> initial, bool last);
  // The index of the next envelope published (the sink's envelopes take theirs in order).
  uint64_t NextOutIndex() { return next_out_index_++; }

  // ---- Inbound
  // An envelope from the peer with its AMQP reply_to. False when it changed nothing (a
  // duplicate).
  bool OnEnvelope(uint64_t index, StreamEvent event, const std::optional<std::string>& reply_to);

  // ---- Application
  enum class WriteResult { kSent, kClosed, kNoCredit };
  // True when Write would not return kNoCredit.
  bool WriteReady() const { return ended_ || half_closed_ || (send_credit_ > 0 && peer_known()); }
  // Spends one credit and sends `payload` in a part; kClosed once the stream ended or this end
  // half-closed.
  WriteResult Write(google::protobuf::Any payload);
  // True when Take has a message or the reader has reached the end (peer half-closed, failed).
  bool ReadReady() const { return !inbound_.empty() || ReadEnded(); }
  // True when no more messages will be readable once the buffer is empty.
  bool ReadEnded() const { return peer_half_closed_ || cancelled(); }
  // The next inbound message; grants the peer credit once half the window was read.
  std::optional<google::protobuf::Any> Take();
  // Client half-close (End{OK}); false when it cannot be sent (ended, or no peer address yet).
  bool HalfClose();
  // Ends the stream with `status`, telling the peer (End{status}) unless it already ended.
  void Cancel(const Status& status);
  // Server: the handler returned `status`; sends the final End. Past the deadline the status is
  // DEADLINE_EXCEEDED, and a cancelled stream stays cancelled.
  void End(const Status& status, bool deadline_passed);
  // Ends the stream locally with `status`: the peer is unreachable, nothing is sent.
  void Fail(const Status& status);
  // The deadline passed: End{DEADLINE_EXCEEDED} to the peer, the stream ends with it.
  void Deadline();

  // ---- Liveness
  enum class Tick { kStop, kContinue };
  // A keepalive tick: stops once the stream is done; ends it at the deadline; pings an idle
  // peer (`idle`: nothing sent for half the keepalive interval).
  Tick OnKeepalive(bool deadline_passed, bool idle);

  // ---- State
  bool ended() const { return ended_; }
  const Status& final_status() const { return final_status_; }
  // Ended with a non-OK status (cancelled, failed).
  bool cancelled() const { return ended_ && !final_status_.ok(); }
  // Nothing more to do: ended, and (server) the final End went out or cannot.
  bool done() const { return ended_ && (end_sent_ || role_ == Role::kClient); }
  bool half_closed() const { return half_closed_; }
  bool end_sent() const { return end_sent_; }
  bool peer_half_closed() const { return peer_half_closed_; }
  bool peer_known() const { return !peer_address_.empty(); }
  const std::string& peer_address() const { return peer_address_; }
  uint32_t send_credit() const { return send_credit_; }
  size_t buffered() const { return inbound_.size(); }

 private:
  // Sends through the sink; a stopped transport ends the stream with UNAVAILABLE.
  void Send(StreamOutgoing outgoing);
  void SendEnd(const Status& status);
  void Finish(const Status& status);
  void OnPart(std::vector<google::protobuf::Any> payloads);

  const Role role_;
  const uint32_t window_;
  std::string id_hex_;
  StreamSink& sink_;
  std::string peer_address_;  // routing key of the peer's queue ("" until known)
  uint64_t next_out_index_ = 0;
  uint64_t next_in_index_ = 0;
  uint32_t send_credit_ = 0;
  std::deque<google::protobuf::Any> inbound_;
  uint32_t consumed_since_grant_ = 0;
  bool peer_half_closed_ = false;  // no more messages will arrive
  bool half_closed_ = false;       // we sent End{OK} (client) or End (server)
  bool ended_ = false;             // final status known
  bool end_sent_ = false;          // End sent, or nothing more can be sent
  Status final_status_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_STATE_H_
