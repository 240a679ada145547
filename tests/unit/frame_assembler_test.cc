#include "amqp/frame_assembler.h"

#include <catch2/catch.hpp>
#include <string>

namespace brokrpc::internal {
namespace {

amqp_bytes_t View(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

// Frames as rabbitmq-c decodes them; the strings they point to must outlive them.
struct Frames {
  std::string exchange = "ex", key = "rk", tag = "ctag", text = "NO_ROUTE", message_id = "m1";
  amqp_basic_properties_t props{};

  amqp_basic_deliver_t Deliver(uint64_t tag_no = 7) {
    amqp_basic_deliver_t d{};
    d.consumer_tag = View(tag);
    d.delivery_tag = tag_no;
    d.redelivered = 1;
    d.exchange = View(exchange);
    d.routing_key = View(key);
    return d;
  }
  amqp_basic_return_t Return() {
    amqp_basic_return_t r{};
    r.reply_code = 312;
    r.reply_text = View(text);
    r.exchange = View(exchange);
    r.routing_key = View(key);
    return r;
  }
  amqp_frame_t Header(uint16_t channel, uint64_t body_size) {
    props._flags = AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = View(message_id);
    amqp_frame_t f{};
    f.frame_type = AMQP_FRAME_HEADER;
    f.channel = channel;
    f.payload.properties.class_id = AMQP_BASIC_CLASS;
    f.payload.properties.body_size = body_size;
    f.payload.properties.decoded = &props;
    return f;
  }
  static amqp_frame_t Body(uint16_t channel, const std::string& bytes) {
    amqp_frame_t f{};
    f.frame_type = AMQP_FRAME_BODY;
    f.channel = channel;
    f.payload.body_fragment = View(bytes);
    return f;
  }
};

TEST_CASE("frame assembler: deliver + header + bodies make a delivery", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  a.StartDelivery(1, f.Deliver(), 42);
  CHECK_FALSE(a.OnFrame(f.Header(1, 5)).has_value());
  std::string part1 = "hel", part2 = "lo";
  CHECK_FALSE(a.OnFrame(Frames::Body(1, part1)).has_value());
  auto done = a.OnFrame(Frames::Body(1, part2));
  REQUIRE(done.has_value());
  CHECK_FALSE(done->is_return);
  CHECK(done->message.body == "hello");
  CHECK(done->message.exchange == "ex");
  CHECK(done->message.routing_key == "rk");
  CHECK(done->message.properties.message_id == "m1");
  REQUIRE(done->message.delivery.has_value());
  CHECK(done->message.delivery->delivery_tag == 42);
  CHECK(done->message.delivery->redelivered);
  CHECK(done->message.delivery->consumer_tag == "ctag");
  CHECK_FALSE(done->message.delivery->oversized);
  CHECK(a.unfinished() == 0);
}

TEST_CASE("frame assembler: an empty body completes with the header", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  a.StartDelivery(3, f.Deliver(), 1);
  auto done = a.OnFrame(f.Header(3, 0));
  REQUIRE(done.has_value());
  CHECK(done->message.body.empty());
}

TEST_CASE("frame assembler: a return carries the reply code and text", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  a.StartReturn(2, f.Return());
  std::string body = "x";
  a.OnFrame(f.Header(2, 1));
  auto done = a.OnFrame(Frames::Body(2, body));
  REQUIRE(done.has_value());
  CHECK(done->is_return);
  CHECK(done->reply_code == 312);
  CHECK(done->reply_text == "NO_ROUTE");
  CHECK_FALSE(done->message.delivery.has_value());
  CHECK(done->message.body == "x");
}

TEST_CASE("frame assembler: an oversized body is dropped, the properties kept", "[frames]") {
  FrameAssembler a(4);
  Frames f;
  a.StartDelivery(1, f.Deliver(), 9);
  a.OnFrame(f.Header(1, 6));
  std::string part = "abc";
  CHECK_FALSE(a.OnFrame(Frames::Body(1, part)).has_value());
  auto done = a.OnFrame(Frames::Body(1, part));
  REQUIRE(done.has_value());
  CHECK(done->message.body.empty());
  CHECK(done->message.properties.message_id == "m1");
  REQUIRE(done->message.delivery.has_value());
  CHECK(done->message.delivery->oversized);

  SECTION("a body of exactly max_message_size is kept") {
    std::string four = "abcd";
    a.StartDelivery(1, f.Deliver(), 10);
    a.OnFrame(f.Header(1, 4));
    auto exact = a.OnFrame(Frames::Body(1, four));
    REQUIRE(exact.has_value());
    CHECK(exact->message.body == "abcd");
    CHECK_FALSE(exact->message.delivery->oversized);
  }
}

TEST_CASE("frame assembler: channels are assembled independently", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  a.StartDelivery(1, f.Deliver(), 1);
  a.StartDelivery(2, f.Deliver(), 2);
  a.OnFrame(f.Header(1, 2));
  a.OnFrame(f.Header(2, 2));
  std::string one = "1", two = "2";
  CHECK_FALSE(a.OnFrame(Frames::Body(2, two)).has_value());
  CHECK_FALSE(a.OnFrame(Frames::Body(1, one)).has_value());
  auto second = a.OnFrame(Frames::Body(2, two));
  REQUIRE(second.has_value());
  CHECK(second->message.delivery->delivery_tag == 2);
  CHECK(second->message.body == "22");
  auto first = a.OnFrame(Frames::Body(1, one));
  REQUIRE(first.has_value());
  CHECK(first->message.body == "11");
}

TEST_CASE("frame assembler: stray and forgotten frames are ignored", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  std::string body = "x";
  CHECK_FALSE(a.OnFrame(f.Header(1, 1)).has_value());         // no method first
  CHECK_FALSE(a.OnFrame(Frames::Body(1, body)).has_value());  // no method first
  a.StartDelivery(1, f.Deliver(), 1);
  CHECK_FALSE(a.OnFrame(Frames::Body(1, body)).has_value());  // body before the header
  amqp_frame_t heartbeat{};
  heartbeat.frame_type = AMQP_FRAME_HEARTBEAT;
  CHECK_FALSE(a.OnFrame(heartbeat).has_value());
  a.OnFrame(f.Header(1, 1));
  a.Forget(1);
  CHECK_FALSE(a.OnFrame(Frames::Body(1, body)).has_value());
  a.StartDelivery(1, f.Deliver(), 1);
  a.StartDelivery(2, f.Deliver(), 2);
  CHECK(a.unfinished() == 2);
  a.Clear();
  CHECK(a.unfinished() == 0);
}

TEST_CASE("frame assembler: a new method replaces an unfinished message", "[frames]") {
  FrameAssembler a(100);
  Frames f;
  a.StartDelivery(1, f.Deliver(), 1);
  a.OnFrame(f.Header(1, 10));
  a.StartReturn(1, f.Return());
  auto done = a.OnFrame(f.Header(1, 0));
  REQUIRE(done.has_value());
  CHECK(done->is_return);
}

}  // namespace
}  // namespace brokrpc::internal
