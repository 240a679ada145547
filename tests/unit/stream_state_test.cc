// StreamState, the pure rules of a stream end: indexes, credit, windows, half-close, ending and
// keepalive, driven by events with the envelopes it sends recorded by a fake sink.
#include "rpc/stream_state.h"

#include <google/protobuf/wrappers.pb.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace brokrpc::internal {
namespace {

using Kind = StreamOutgoing::Kind;

// Records what the state machine sends; refuses everything once `stopped` (a stopped transport).
class FakeSink : public StreamSink {
 public:
  bool Send(StreamOutgoing outgoing) override {
    if (stopped) return false;
    sent.push_back(std::move(outgoing));
    return true;
  }
  std::vector<Kind> kinds() const {
    std::vector<Kind> out;
    for (const auto& o : sent) out.push_back(o.kind);
    return out;
  }
  std::vector<StreamOutgoing> sent;
  bool stopped = false;
};

google::protobuf::Any Payload(int i) {
  google::protobuf::Int32Value v;
  v.set_value(i);
  google::protobuf::Any any;
  any.PackFrom(v);
  return any;
}

int ValueOf(const google::protobuf::Any& any) {
  google::protobuf::Int32Value v;
  REQUIRE(any.UnpackTo(&v));
  return v.value();
}

StreamEvent Start(uint32_t window) {
  return StreamEvent{.kind = StreamEvent::Kind::kStart, .window = window};
}

StreamEvent Part(std::vector<int> values) {
  StreamEvent e{.kind = StreamEvent::Kind::kPart};
  for (int v : values) e.payloads.push_back(Payload(v));
  return e;
}

StreamEvent EndEvent(Status status) {
  return StreamEvent{.kind = StreamEvent::Kind::kEnd, .status = std::move(status)};
}

StreamEvent Credit(uint32_t grant) {
  return StreamEvent{.kind = StreamEvent::Kind::kCredit, .grant = grant};
}

const std::optional<std::string> kNoReplyTo;

// A client whose opening was answered with the server's window and address.
void OpenClient(StreamState& client, uint32_t server_window) {
  REQUIRE(client.Open(false) == 0);
  REQUIRE(client.OnEnvelope(0, Start(server_window), std::string("stream.server")));
}

TEST_CASE("stream state: the client writes on the credit the server grants", "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  CHECK(client.Open(false) == 0);
  CHECK(client.NextOutIndex() == 1);  // later envelopes follow the opening
  // No address and no credit before the server's Start.
  CHECK_FALSE(client.WriteReady());
  CHECK(client.Write(Payload(1)) == StreamState::WriteResult::kNoCredit);
  CHECK(client.OnEnvelope(0, Start(2), std::string("stream.server")));
  CHECK(client.peer_address() == "stream.server");
  CHECK(client.send_credit() == 2);
  CHECK(client.Write(Payload(1)) == StreamState::WriteResult::kSent);
  CHECK(client.Write(Payload(2)) == StreamState::WriteResult::kSent);
  CHECK_FALSE(client.WriteReady());
  CHECK(client.Write(Payload(3)) == StreamState::WriteResult::kNoCredit);
  CHECK(client.OnEnvelope(1, Credit(1), kNoReplyTo));
  CHECK(client.Write(Payload(3)) == StreamState::WriteResult::kSent);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kPart, Kind::kPart, Kind::kPart});
  CHECK(ValueOf(sink.sent[2].payload) == 3);
  CHECK_FALSE(client.ended());
}

TEST_CASE("stream state: a duplicate is dropped, a gap ends the stream with DATA_LOSS",
          "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  OpenClient(client, 4);
  CHECK(client.OnEnvelope(1, Part({1}), kNoReplyTo));
  CHECK_FALSE(client.OnEnvelope(1, Part({1}), kNoReplyTo));  // duplicate
  CHECK_FALSE(client.OnEnvelope(0, Start(4), kNoReplyTo));   // duplicate
  CHECK(client.buffered() == 1);
  CHECK(client.send_credit() == 4);
  CHECK(sink.sent.empty());
  CHECK(client.OnEnvelope(2, StreamEvent{.kind = StreamEvent::Kind::kPing}, kNoReplyTo));
  CHECK(client.OnEnvelope(3, StreamEvent{}, kNoReplyTo));  // an event it does not know
  CHECK_FALSE(client.ended());
  CHECK(client.OnEnvelope(5, Part({2}), kNoReplyTo));  // 4 is missing
  REQUIRE(client.ended());
  CHECK(client.final_status().code() == StatusCode::kDataLoss);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kDataLoss);
  CHECK(client.done());
}

TEST_CASE("stream state: more than the window ends the stream with RESOURCE_EXHAUSTED",
          "[stream-state]") {
  FakeSink sink;
  StreamState server(StreamState::Role::kServer, 2, "id", sink);
  server.Accept("id", "response.client", 8, {}, false);
  CHECK(server.OnEnvelope(1, Part({1, 2}), kNoReplyTo));
  CHECK_FALSE(server.ended());
  CHECK(server.OnEnvelope(2, Part({3}), kNoReplyTo));
  REQUIRE(server.ended());
  CHECK(server.final_status().code() == StatusCode::kResourceExhausted);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kResourceExhausted);
  CHECK(server.done());
  // The writer is told the stream is over.
  CHECK(server.Write(Payload(1)) == StreamState::WriteResult::kClosed);
}

TEST_CASE("stream state: a reader grants credit once half the window was read", "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 4, "id", sink);
  OpenClient(client, 4);
  CHECK(client.OnEnvelope(1, Part({1, 2, 3, 4}), kNoReplyTo));
  CHECK_FALSE(client.ended());  // exactly the window
  CHECK(ValueOf(*client.Take()) == 1);
  CHECK(sink.sent.empty());
  CHECK(ValueOf(*client.Take()) == 2);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kCredit});
  CHECK(sink.sent[0].grant == 2);
  CHECK(ValueOf(*client.Take()) == 3);
  // No credit once the peer said it sends no more.
  CHECK(client.OnEnvelope(2, EndEvent(OkStatus()), kNoReplyTo));
  CHECK(ValueOf(*client.Take()) == 4);
  CHECK_FALSE(client.Take());
  CHECK(sink.kinds() == std::vector<Kind>{Kind::kCredit});
}

TEST_CASE("stream state: a window of 1 grants after every read", "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 1, "id", sink);
  OpenClient(client, 1);
  CHECK(client.OnEnvelope(1, Part({1}), kNoReplyTo));
  CHECK(client.Take());
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kCredit});
  CHECK(sink.sent[0].grant == 1);
}

TEST_CASE("stream state: client half-close, the server reads to the end and ends with its status",
          "[stream-state]") {
  FakeSink client_sink;
  StreamState client(StreamState::Role::kClient, 8, "id", client_sink);
  OpenClient(client, 8);
  CHECK(client.Write(Payload(1)) == StreamState::WriteResult::kSent);
  CHECK(client.HalfClose());
  CHECK(client.half_closed());
  CHECK_FALSE(client.ended());
  CHECK(client.Write(Payload(2)) == StreamState::WriteResult::kClosed);
  REQUIRE(client_sink.kinds() == std::vector<Kind>{Kind::kPart, Kind::kEnd});
  CHECK(client_sink.sent[1].status.ok());

  FakeSink server_sink;
  StreamState server(StreamState::Role::kServer, 8, "id", server_sink);
  server.Accept("id", "response.client", 8, {}, false);
  CHECK(server.NextOutIndex() == 0);  // the server's Start
  CHECK(server.OnEnvelope(1, Part({1}), kNoReplyTo));
  CHECK(server.OnEnvelope(2, EndEvent(OkStatus()), kNoReplyTo));
  CHECK_FALSE(server.ended());  // a half-close is not an end
  CHECK(server.ReadReady());
  CHECK(ValueOf(*server.Take()) == 1);
  CHECK_FALSE(server.Take());
  CHECK(server.ReadEnded());
  // The server can still write.
  CHECK(server.Write(Payload(7)) == StreamState::WriteResult::kSent);
  server.End(NotFoundError("no"), false);
  CHECK(server.final_status().code() == StatusCode::kNotFound);
  CHECK(server.done());
  REQUIRE(server_sink.kinds() == std::vector<Kind>{Kind::kPart, Kind::kEnd});
  CHECK(server_sink.sent[1].status.code() == StatusCode::kNotFound);
  CHECK(server_sink.sent[1].status.message() == "no");

  // The client reads the final status.
  CHECK(client.OnEnvelope(1, Part({7}), kNoReplyTo));
  CHECK(client.OnEnvelope(2, EndEvent(NotFoundError("no")), kNoReplyTo));
  CHECK(client.ended());
  CHECK(client.final_status().code() == StatusCode::kNotFound);
  CHECK(client.done());
  CHECK(client.ReadReady());
  CHECK(ValueOf(*client.Take()) == 7);
  CHECK(client_sink.sent.size() == 2);  // nothing answers the server's End
}

TEST_CASE("stream state: a client that half-closed with its opening cannot write, can cancel",
          "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  CHECK(client.Open(true) == 0);
  CHECK(client.half_closed());
  CHECK(client.OnEnvelope(0, Start(8), std::string("stream.server")));
  CHECK(client.Write(Payload(1)) == StreamState::WriteResult::kClosed);
  client.Cancel(CancelledError("bye"));
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kCancelled);
  CHECK(client.cancelled());
  // The first final status wins; End goes out once.
  client.Cancel(InternalError("again"));
  client.Fail(UnavailableError("gone"));
  CHECK(client.final_status().code() == StatusCode::kCancelled);
  CHECK(sink.sent.size() == 1);
}

TEST_CASE("stream state: a client cancelled before the server's Start tells the server on Start",
          "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  CHECK(client.Open(false) == 0);
  client.Cancel(CancelledError("early"));
  CHECK(client.ended());
  CHECK(client.done());
  CHECK(sink.sent.empty());  // no address yet
  CHECK(client.OnEnvelope(0, Start(8), std::string("stream.server")));
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kCancelled);
  CHECK(client.final_status().message() == "early");
}

TEST_CASE("stream state: the client cancels, and the server's End says cancelled",
          "[stream-state]") {
  FakeSink sink;
  StreamState server(StreamState::Role::kServer, 8, "id", sink);
  server.Accept("id", "response.client", 8, {}, false);
  CHECK(server.OnEnvelope(1, EndEvent(CancelledError("stop")), kNoReplyTo));
  CHECK(server.ended());
  CHECK(server.cancelled());
  CHECK(server.ReadEnded());
  CHECK_FALSE(server.done());  // the final End has not gone out
  CHECK(server.Write(Payload(1)) == StreamState::WriteResult::kClosed);
  server.End(OkStatus(), false);  // the handler returned OK regardless
  CHECK(server.done());
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kCancelled);
  CHECK(server.final_status().code() == StatusCode::kCancelled);
}

TEST_CASE("stream state: a handler past the deadline ends with DEADLINE_EXCEEDED",
          "[stream-state]") {
  FakeSink sink;
  StreamState server(StreamState::Role::kServer, 8, "id", sink);
  server.Accept("id", "response.client", 8, {}, false);
  server.End(UnavailableError("a write failed"), true);
  CHECK(server.final_status().code() == StatusCode::kDeadlineExceeded);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kEnd});
  CHECK(sink.sent[0].status.code() == StatusCode::kDeadlineExceeded);
}

TEST_CASE("stream state: the server's opening carries the client's window and first messages",
          "[stream-state]") {
  FakeSink sink;
  StreamState server(StreamState::Role::kServer, 8, "old", sink);
  std::vector<google::protobuf::Any> initial;
  initial.push_back(Payload(5));
  server.Accept("id", "response.client", 1, std::move(initial), true);
  CHECK(server.peer_address() == "response.client");
  CHECK(server.send_credit() == 1);
  CHECK(server.peer_half_closed());
  CHECK(ValueOf(*server.Take()) == 5);
  CHECK(server.ReadEnded());
  CHECK(sink.sent.empty());  // no credit for a peer that sends no more
  CHECK(server.Write(Payload(1)) == StreamState::WriteResult::kSent);
  CHECK(server.Write(Payload(2)) == StreamState::WriteResult::kNoCredit);
  // The next inbound index is 1: the opening was 0.
  CHECK(server.OnEnvelope(1, Credit(1), kNoReplyTo));
  CHECK(server.send_credit() == 1);
  // A second Start is ignored by a server (its opening came through Accept).
  CHECK(server.OnEnvelope(2, Start(50), std::string("elsewhere")));
  CHECK(server.send_credit() == 1);
  CHECK(server.peer_address() == "response.client");
}

TEST_CASE("stream state: Fail ends the stream without telling the peer", "[stream-state]") {
  FakeSink sink;
  StreamState server(StreamState::Role::kServer, 8, "id", sink);
  server.Accept("id", "response.client", 8, {}, false);
  server.Fail(UnavailableError("the client's queue is gone"));
  CHECK(server.final_status().code() == StatusCode::kUnavailable);
  CHECK(server.done());
  server.End(OkStatus(), false);  // the handler returns later: nothing to send
  CHECK(sink.sent.empty());
  CHECK(server.final_status().code() == StatusCode::kUnavailable);
}

TEST_CASE("stream state: a stopped transport ends the stream with UNAVAILABLE", "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  OpenClient(client, 8);
  sink.stopped = true;
  // The write was accepted; the stream then ends.
  CHECK(client.Write(Payload(1)) == StreamState::WriteResult::kSent);
  REQUIRE(client.ended());
  CHECK(client.final_status().code() == StatusCode::kUnavailable);
  CHECK(client.end_sent());
  // Its status wins over the cancel that found the transport stopped.
  FakeSink sink2;
  StreamState other(StreamState::Role::kClient, 8, "id", sink2);
  OpenClient(other, 8);
  sink2.stopped = true;
  other.Cancel(CancelledError("bye"));
  CHECK(other.final_status().code() == StatusCode::kUnavailable);
}

TEST_CASE("stream state: keepalive pings an idle peer, ends at the deadline, stops when done",
          "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  CHECK(client.Open(false) == 0);
  // No address yet: nothing to ping.
  CHECK(client.OnKeepalive(false, true) == StreamState::Tick::kContinue);
  CHECK(sink.sent.empty());
  CHECK(client.OnEnvelope(0, Start(8), std::string("stream.server")));
  CHECK(client.OnKeepalive(false, false) == StreamState::Tick::kContinue);
  CHECK(sink.sent.empty());
  CHECK(client.OnKeepalive(false, true) == StreamState::Tick::kContinue);
  CHECK(sink.kinds() == std::vector<Kind>{Kind::kPing});
  CHECK(client.OnKeepalive(true, false) == StreamState::Tick::kStop);
  CHECK(client.final_status().code() == StatusCode::kDeadlineExceeded);
  REQUIRE(sink.kinds() == std::vector<Kind>{Kind::kPing, Kind::kEnd});
  CHECK(sink.sent[1].status.code() == StatusCode::kDeadlineExceeded);
  CHECK(client.OnKeepalive(false, true) == StreamState::Tick::kStop);

  // A server whose client cancelled keeps pinging until its handler's End went out.
  FakeSink server_sink;
  StreamState server(StreamState::Role::kServer, 8, "id", server_sink);
  server.Accept("id", "response.client", 8, {}, false);
  CHECK(server.OnEnvelope(1, EndEvent(CancelledError("stop")), kNoReplyTo));
  CHECK(server.OnKeepalive(true, true) == StreamState::Tick::kContinue);
  CHECK(server_sink.kinds() == std::vector<Kind>{Kind::kPing});
  server.End(OkStatus(), false);
  CHECK(server.OnKeepalive(false, true) == StreamState::Tick::kStop);
}

TEST_CASE("stream state: the client's End from the server ends the client", "[stream-state]") {
  FakeSink sink;
  StreamState client(StreamState::Role::kClient, 8, "id", sink);
  OpenClient(client, 8);
  CHECK(client.OnEnvelope(1, EndEvent(ResourceExhaustedError("busy")), kNoReplyTo));
  CHECK(client.cancelled());
  CHECK(client.final_status().message() == "busy");
  CHECK(client.ReadEnded());
  CHECK_FALSE(client.HalfClose());
  client.Cancel(CancelledError("late"));
  CHECK(sink.sent.empty());  // the server is gone from the stream
}

}  // namespace
}  // namespace brokrpc::internal
