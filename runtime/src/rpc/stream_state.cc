#include "rpc/stream_state.h"

#include <fmt/format.h>

#include <algorithm>

namespace brokrpc::internal {

StreamState::StreamState(Role role, uint32_t window, std::string id_hex, StreamSink& sink)
    : role_(role), window_(window), id_hex_(std::move(id_hex)), sink_(sink) {}

// ---------------------------------------------------------------- opening

uint64_t StreamState::Open(bool last) {
  if (last) half_closed_ = true;
  return next_out_index_++;
}

void StreamState::Accept(std::string id_hex, std::string peer_address, uint32_t client_window,
                         std::vector<google::protobuf::Any> initial, bool last) {
  id_hex_ = std::move(id_hex);
  peer_address_ = std::move(peer_address);
  next_in_index_ = 1;  // the opening was index 0
  send_credit_ = client_window;
  for (auto& any : initial) inbound_.push_back(std::move(any));
  peer_half_closed_ = last;
}

// ---------------------------------------------------------------- sending

void StreamState::Send(StreamOutgoing outgoing) {
  if (sink_.Send(std::move(outgoing))) return;
  end_sent_ = true;
  Finish(UnavailableError(fmt::format("stream {}: the connection is closed", id_hex_)));
}

void StreamState::SendEnd(const Status& status) {
  if (end_sent_ || peer_address_.empty()) return;
  end_sent_ = true;
  half_closed_ = true;
  Send(StreamOutgoing{.kind = StreamOutgoing::Kind::kEnd, .status = status});
}

void StreamState::Finish(const Status& status) {
  if (ended_) return;
  ended_ = true;
  final_status_ = status;
}

// ---------------------------------------------------------------- receiving

bool StreamState::OnEnvelope(uint64_t index, StreamEvent event,
                             const std::optional<std::string>& reply_to) {
  if (index < next_in_index_) return false;  // a duplicate
  if (index > next_in_index_) {
    Status s = DataLossError(fmt::format("stream {}: envelope {} arrived, {} was expected", id_hex_,
                                         index, next_in_index_));
    SendEnd(s);
    Finish(s);
    return true;
  }
  ++next_in_index_;
  switch (event.kind) {
    case StreamEvent::Kind::kStart:
      if (role_ != Role::kClient) break;  // the server's opening came through Accept
      if (reply_to) peer_address_ = *reply_to;
      send_credit_ += event.window;
      if (ended_ && !end_sent_) SendEnd(final_status_);  // cancelled before the answer
      break;
    case StreamEvent::Kind::kPart:
      OnPart(std::move(event.payloads));
      break;
    case StreamEvent::Kind::kEnd:
      peer_half_closed_ = true;
      if (role_ == Role::kClient) {
        end_sent_ = true;  // the server is gone from this stream; nothing more to tell it
        Finish(event.status);
      } else if (!event.status.ok()) {
        Finish(event.status);  // the client cancelled
      }
      break;
    case StreamEvent::Kind::kCredit:
      send_credit_ += event.grant;
      break;
    case StreamEvent::Kind::kPing:
    case StreamEvent::Kind::kNone:
      break;
  }
  return true;
}

void StreamState::OnPart(std::vector<google::protobuf::Any> payloads) {
  for (auto& any : payloads) inbound_.push_back(std::move(any));
  if (inbound_.size() > window_) {
    Status s = ResourceExhaustedError(fmt::format(
        "stream {}: the peer sent more than the window of {} messages", id_hex_, window_));
    SendEnd(s);
    Finish(s);
  }
}

// ---------------------------------------------------------------- application

StreamState::WriteResult StreamState::Write(google::protobuf::Any payload) {
  if (ended_ || half_closed_) return WriteResult::kClosed;
  if (send_credit_ == 0 || !peer_known()) return WriteResult::kNoCredit;
  --send_credit_;
  Send(StreamOutgoing{.kind = StreamOutgoing::Kind::kPart, .payload = std::move(payload)});
  return WriteResult::kSent;
}

std::optional<google::protobuf::Any> StreamState::Take() {
  if (inbound_.empty()) return std::nullopt;
  std::optional<google::protobuf::Any> out(std::move(inbound_.front()));
  inbound_.pop_front();
  if (++consumed_since_grant_ >= std::max<uint32_t>(1, window_ / 2) && !ended_ &&
      !peer_half_closed_ && peer_known()) {
    uint32_t grant = consumed_since_grant_;
    consumed_since_grant_ = 0;
    Send(StreamOutgoing{.kind = StreamOutgoing::Kind::kCredit, .grant = grant});
  }
  return out;
}

bool StreamState::HalfClose() {
  if (ended_ || !peer_known()) return false;
  SendEnd(OkStatus());
  return true;
}

void StreamState::Cancel(const Status& status) {
  if (ended_) return;
  SendEnd(status);
  Finish(status);
}

void StreamState::End(const Status& status, bool deadline_passed) {
  Status final = status;
  // Past the deadline the handler's outcome (often a read or write that failed because of it)
  // is reported as what it is.
  if (deadline_passed) {
    final = DeadlineExceededError(fmt::format("stream {}: deadline exceeded", id_hex_));
  }
  if (cancelled()) final = final_status_;  // cancelled: say so
  SendEnd(final);
  Finish(final);
}

void StreamState::Fail(const Status& status) {
  if (ended_) return;
  end_sent_ = true;  // the peer cannot be reached
  Finish(status);
}

void StreamState::Deadline() {
  Status s = DeadlineExceededError(fmt::format("stream {}: deadline exceeded", id_hex_));
  SendEnd(s);
  Finish(s);
}

// ---------------------------------------------------------------- liveness

StreamState::Tick StreamState::OnKeepalive(bool deadline_passed, bool idle) {
  if (done()) return Tick::kStop;
  if (deadline_passed && !ended_) {
    Deadline();
    return Tick::kStop;
  }
  if (peer_known() && idle) {
    Send(StreamOutgoing{.kind = StreamOutgoing::Kind::kPing});
  }
  return Tick::kContinue;
}

}  // namespace brokrpc::internal
