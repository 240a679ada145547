// Stream codecs: each role encodes exactly the envelope the wire contract describes (checked
// against envelopes built field by field, and byte for byte against a fixed encoding) and
// decodes what its peer sends.
#include "rpc/stream_codec.h"

#include <google/protobuf/wrappers.pb.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "brokrpc/spec/v1/call.pb.h"

namespace brokrpc::internal {
namespace {

using spec::v1::StreamRequest;
using spec::v1::StreamResponse;

const std::string kUuid = std::string("0123456789abcdef");

google::protobuf::Any Payload(const std::string& s) {
  google::protobuf::StringValue v;
  v.set_value(s);
  google::protobuf::Any any;
  any.PackFrom(v);
  return any;
}

StreamEnvelope Envelope(uint64_t index, StreamEvent event) {
  return StreamEnvelope{.uuid = kUuid, .index = index, .event = std::move(event)};
}

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST_CASE("stream codec: each role sends its own envelope type", "[stream-codec]") {
  CHECK(StreamCodec::For(StreamRole::kClient).sent_type() == "brokrpc.spec.v1.StreamRequest");
  CHECK(StreamCodec::For(StreamRole::kServer).sent_type() == "brokrpc.spec.v1.StreamResponse");
}

TEST_CASE("stream codec: the client's envelopes are the StreamRequests of the contract",
          "[stream-codec]") {
  const StreamCodec& codec = StreamCodec::For(StreamRole::kClient);
  StreamRequest expected;
  expected.set_uuid(kUuid);

  SECTION("start") {
    StreamEvent e{.kind = StreamEvent::Kind::kStart, .last = true, .window = 64};
    e.payloads.push_back(Payload("hello"));
    auto env = Envelope(0, std::move(e));
    expected.set_index(0);
    *expected.mutable_start()->add_payloads() = Payload("hello");
    expected.mutable_start()->set_last(true);
    expected.mutable_start()->set_window(64);
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("part") {
    StreamEvent e{.kind = StreamEvent::Kind::kPart};
    e.payloads.push_back(Payload("a"));
    e.payloads.push_back(Payload("b"));
    auto env = Envelope(7, std::move(e));
    expected.set_index(7);
    *expected.mutable_part()->add_payloads() = Payload("a");
    *expected.mutable_part()->add_payloads() = Payload("b");
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("end OK carries no error") {
    auto env = Envelope(3, StreamEvent{.kind = StreamEvent::Kind::kEnd, .status = OkStatus()});
    expected.set_index(3);
    expected.mutable_end()->set_code(google::rpc::OK);
    CHECK(codec.Encode(env) == expected.SerializeAsString());
    CHECK_FALSE(expected.end().has_error());
  }
  SECTION("end with an error, byte for byte") {
    auto env =
        Envelope(3, StreamEvent{.kind = StreamEvent::Kind::kEnd, .status = CancelledError("x")});
    // uuid (1, 16 bytes), index (2) = 3, end (5) = {code (1) = 1, error (2) = {message = "x"}}.
    CHECK(Hex(codec.Encode(env)) ==
          "0a10" + Hex(kUuid) + "1003" + "2a07" + "0801" + "1203" + "0a0178");
  }
  SECTION("credit") {
    auto env = Envelope(4, StreamEvent{.kind = StreamEvent::Kind::kCredit, .grant = 32});
    expected.set_index(4);
    expected.mutable_credit()->set_grant(32);
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("ping") {
    auto env = Envelope(5, StreamEvent{.kind = StreamEvent::Kind::kPing});
    expected.set_index(5);
    expected.mutable_ping();
    CHECK(codec.Encode(env) == expected.SerializeAsString());
    CHECK(Hex(codec.Encode(env)) == "0a10" + Hex(kUuid) + "1005" + "3a00");
  }
}

TEST_CASE("stream codec: the server's envelopes are the StreamResponses of the contract",
          "[stream-codec]") {
  const StreamCodec& codec = StreamCodec::For(StreamRole::kServer);
  StreamResponse expected;
  expected.set_uuid(kUuid);

  SECTION("start carries only the window") {
    StreamEvent e{.kind = StreamEvent::Kind::kStart, .last = true, .window = 16};
    e.payloads.push_back(Payload("ignored"));
    auto env = Envelope(0, std::move(e));
    expected.set_index(0);
    expected.mutable_start()->set_window(16);
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("part") {
    StreamEvent e{.kind = StreamEvent::Kind::kPart};
    e.payloads.push_back(Payload("a"));
    auto env = Envelope(1, std::move(e));
    expected.set_index(1);
    *expected.mutable_part()->add_payloads() = Payload("a");
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("end") {
    auto env = Envelope(
        2, StreamEvent{.kind = StreamEvent::Kind::kEnd, .status = NotFoundError("nothing")});
    expected.set_index(2);
    expected.mutable_end()->set_code(google::rpc::NOT_FOUND);
    expected.mutable_end()->mutable_error()->set_message("nothing");
    CHECK(codec.Encode(env) == expected.SerializeAsString());
  }
  SECTION("credit and ping") {
    auto credit = Envelope(3, StreamEvent{.kind = StreamEvent::Kind::kCredit, .grant = 1});
    expected.set_index(3);
    expected.mutable_credit()->set_grant(1);
    CHECK(codec.Encode(credit) == expected.SerializeAsString());
    auto ping = Envelope(4, StreamEvent{.kind = StreamEvent::Kind::kPing});
    expected.set_index(4);
    expected.mutable_ping();
    CHECK(codec.Encode(ping) == expected.SerializeAsString());
  }
}

TEST_CASE("stream codec: each role decodes what the other encodes", "[stream-codec]") {
  const StreamCodec& client = StreamCodec::For(StreamRole::kClient);
  const StreamCodec& server = StreamCodec::For(StreamRole::kServer);
  StreamEnvelope out;

  StreamEvent start{.kind = StreamEvent::Kind::kStart, .last = true, .window = 9};
  start.payloads.push_back(Payload("first"));
  auto opening = Envelope(0, std::move(start));
  REQUIRE(server.Decode(client.Encode(opening), &out));
  CHECK(out.uuid == kUuid);
  CHECK(out.index == 0);
  CHECK(out.event.kind == StreamEvent::Kind::kStart);
  CHECK(out.event.last);
  CHECK(out.event.window == 9);
  REQUIRE(out.event.payloads.size() == 1);
  google::protobuf::StringValue v;
  REQUIRE(out.event.payloads[0].UnpackTo(&v));
  CHECK(v.value() == "first");

  auto answer = Envelope(0, StreamEvent{.kind = StreamEvent::Kind::kStart, .window = 5});
  REQUIRE(client.Decode(server.Encode(answer), &out));
  CHECK(out.event.kind == StreamEvent::Kind::kStart);
  CHECK(out.event.window == 5);
  CHECK(out.event.payloads.empty());

  auto end =
      Envelope(6, StreamEvent{.kind = StreamEvent::Kind::kEnd, .status = DataLossError("gap")});
  REQUIRE(client.Decode(server.Encode(end), &out));
  CHECK(out.index == 6);
  CHECK(out.event.kind == StreamEvent::Kind::kEnd);
  CHECK(out.event.status.code() == StatusCode::kDataLoss);
  CHECK(out.event.status.message() == "gap");

  auto half_close = Envelope(2, StreamEvent{.kind = StreamEvent::Kind::kEnd});
  REQUIRE(server.Decode(client.Encode(half_close), &out));
  CHECK(out.event.kind == StreamEvent::Kind::kEnd);
  CHECK(out.event.status.ok());

  auto credit = Envelope(3, StreamEvent{.kind = StreamEvent::Kind::kCredit, .grant = 12});
  REQUIRE(server.Decode(client.Encode(credit), &out));
  CHECK(out.event.kind == StreamEvent::Kind::kCredit);
  CHECK(out.event.grant == 12);

  auto ping = Envelope(4, StreamEvent{.kind = StreamEvent::Kind::kPing});
  REQUIRE(client.Decode(server.Encode(ping), &out));
  CHECK(out.event.kind == StreamEvent::Kind::kPing);

  StreamResponse no_event;
  no_event.set_index(9);
  REQUIRE(client.Decode(no_event.SerializeAsString(), &out));
  CHECK(out.index == 9);
  CHECK(out.event.kind == StreamEvent::Kind::kNone);

  CHECK_FALSE(client.Decode(std::string("\xff\xff\xff", 3), &out));
}

}  // namespace
}  // namespace brokrpc::internal
