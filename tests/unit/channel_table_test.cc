#include "amqp/channel_table.h"

#include <catch2/catch.hpp>

namespace brokrpc::internal {
namespace {

constexpr ChannelUse kTopology{ChannelUse::Kind::kTopology, 0};

ChannelUse LaneUse(uint64_t id) { return {ChannelUse::Kind::kLane, id}; }
ChannelUse ConsumerUse(uint64_t id) { return {ChannelUse::Kind::kConsumer, id}; }

TEST_CASE("channel table: numbers count up, then freed ones are reused", "[channels]") {
  ChannelTable t;
  CHECK(*t.Allocate(kTopology, 3) == 1);
  CHECK(*t.Allocate(LaneUse(1), 3) == 2);
  CHECK(*t.Allocate(LaneUse(2), 3) == 3);
  auto full = t.Allocate(LaneUse(3), 3);
  REQUIRE_FALSE(full.ok());
  CHECK(full.status().code() == StatusCode::kResourceExhausted);
  CHECK(full.status().message().find("all 3 channels") != std::string::npos);
  REQUIRE(t.Free(2).has_value());
  REQUIRE(t.Free(1).has_value());
  CHECK(*t.Allocate(LaneUse(3), 3) == 2);  // the first freed first
  CHECK(*t.Allocate(LaneUse(4), 3) == 1);
}

TEST_CASE("channel table: freeing tells what the channel was for, once", "[channels]") {
  ChannelTable t;
  uint16_t ch = *t.Allocate(ConsumerUse(7), 0);
  CHECK(t.in_use(ch));
  auto use = t.Free(ch);
  REQUIRE(use.has_value());
  CHECK(use->kind == ChannelUse::Kind::kConsumer);
  CHECK(use->owner == 7);
  CHECK_FALSE(t.in_use(ch));
  CHECK_FALSE(t.Free(ch).has_value());  // not freed twice
  CHECK(*t.Allocate(LaneUse(1), 1) == ch);
  CHECK_FALSE(t.Allocate(LaneUse(2), 1).ok());  // (channel 1 is back in use)
}

TEST_CASE("channel table: channel_max 0 means 65535", "[channels]") {
  ChannelTable t;
  for (int i = 1; i <= 65535; ++i) REQUIRE(t.Allocate(LaneUse(1), 0).ok());
  CHECK_FALSE(t.Allocate(LaneUse(1), 0).ok());
  t.Free(40000);
  CHECK(*t.Allocate(LaneUse(1), 0) == 40000);
}

TEST_CASE("channel table: reset starts numbering over and frees every channel", "[channels]") {
  ChannelTable t;
  REQUIRE(t.Allocate(kTopology, 0).ok());
  REQUIRE(t.Allocate(LaneUse(1), 0).ok());
  t.Free(1);
  t.lanes()[1].channel = 2;
  t.Reset();
  CHECK_FALSE(t.in_use(2));
  CHECK(*t.Allocate(LaneUse(1), 0) == 1);
  CHECK(t.lanes().size() == 1);  // lanes outlive the connection
}

TEST_CASE("channel table: finds the lane and the consumer of a channel", "[channels]") {
  ChannelTable t;
  uint16_t topology = *t.Allocate(kTopology, 0);
  uint16_t lane_ch = *t.Allocate(LaneUse(5), 0);
  uint16_t consumer_ch = *t.Allocate(ConsumerUse(9), 0);
  uint16_t orphan_ch = *t.Allocate(LaneUse(6), 0);  // lane 6 was released
  t.lanes()[5].channel = lane_ch;
  t.consumers()[9].channel = consumer_ch;
  t.consumers()[5];  // a consumer with the lane's id: not confused with it

  CHECK(t.LaneOn(lane_ch) == &t.lanes()[5]);
  CHECK(t.ConsumerOn(consumer_ch) == &t.consumers()[9]);
  CHECK(t.LaneOn(consumer_ch) == nullptr);
  CHECK(t.ConsumerOn(lane_ch) == nullptr);
  CHECK(t.LaneOn(topology) == nullptr);
  CHECK(t.ConsumerOn(topology) == nullptr);
  CHECK(t.LaneOn(orphan_ch) == nullptr);
  CHECK(t.LaneOn(999) == nullptr);
  t.Free(lane_ch);
  CHECK(t.LaneOn(lane_ch) == nullptr);
  CHECK(t.lanes().count(5) == 1);
}

}  // namespace
}  // namespace brokrpc::internal
