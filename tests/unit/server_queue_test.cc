// How a method's server queue is resolved: classic or quorum, from the queue's own arguments or
// the deployment default, and what a quorum queue refuses before anything is declared.
#include "rpc/server_queue.h"

#include <catch2/catch.hpp>

#include "transport/broker_url.h"

namespace brokrpc::internal {
namespace {

FieldTable QuorumArgs() { return FieldTable{{"x-queue-type", "quorum"}}; }

const DefaultQueueType kNoDefault{};
const DefaultQueueType kQuorumDefault{QueueType::kQuorum, "the broker URL's queue_type"};

TEST_CASE("server queue: classic by default, options untouched", "[server_queue]") {
  auto q = ResolveServerQueue({}, QueueOptions{.name = "/p/S/M", .auto_delete = true}, kNoDefault);
  REQUIRE(q.ok());
  CHECK(q->name == "/p/S/M");
  CHECK_FALSE(q->durable);
  CHECK(q->auto_delete);
  CHECK(q->arguments.Find("x-queue-type") == nullptr);
}

TEST_CASE("server queue: x-queue-type quorum in the arguments makes it durable", "[server_queue]") {
  auto q =
      ResolveServerQueue({}, QueueOptions{.name = "/p/S/M", .arguments = QuorumArgs()}, kNoDefault);
  REQUIRE(q.ok());
  CHECK(q->durable);
  CHECK_FALSE(q->exclusive);
  CHECK_FALSE(q->auto_delete);
  REQUIRE(q->arguments.FindString("x-queue-type") != nullptr);
  CHECK(*q->arguments.FindString("x-queue-type") == "quorum");
}

TEST_CASE("server queue: the deployment default applies where the queue names no type",
          "[server_queue]") {
  auto q = ResolveServerQueue({}, QueueOptions{.name = "/p/S/M"}, kQuorumDefault);
  REQUIRE(q.ok());
  CHECK(q->durable);
  REQUIRE(q->arguments.FindString("x-queue-type") != nullptr);
  CHECK(*q->arguments.FindString("x-queue-type") == "quorum");
  // The queue's own x-queue-type wins over the deployment's.
  auto classic = ResolveServerQueue(
      {}, QueueOptions{.name = "/p/S/M", .arguments = FieldTable{{"x-queue-type", "classic"}}},
      kQuorumDefault);
  REQUIRE(classic.ok());
  CHECK_FALSE(classic->durable);
  // An exclusive queue (one connection's: the reflection queue) stays classic.
  auto exclusive = ResolveServerQueue({}, QueueOptions{.name = "reflection.1", .exclusive = true},
                                      kQuorumDefault);
  REQUIRE(exclusive.ok());
  CHECK(exclusive->exclusive);
  CHECK(exclusive->arguments.Find("x-queue-type") == nullptr);
  // BrokerOptions::default_queue lies under the method's options.
  auto from_defaults = ResolveServerQueue(QueueOptions{.arguments = QuorumArgs()},
                                          QueueOptions{.name = "/p/S/M"}, kNoDefault);
  REQUIRE(from_defaults.ok());
  CHECK(from_defaults->durable);
}

TEST_CASE("server queue: what quorum queues cannot be is refused naming queue and flag",
          "[server_queue]") {
  auto refused = [](QueueOptions o, const DefaultQueueType& d) {
    o.name = "/p/S/M";
    auto q = ResolveServerQueue({}, o, d);
    REQUIRE_FALSE(q.ok());
    CHECK(q.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(q.status().message(), Catch::Contains("'/p/S/M'"));
    return std::string(q.status().message());
  };
  CHECK_THAT(refused({.durable = false, .arguments = QuorumArgs()}, kNoDefault),
             Catch::Contains("durable=false") && Catch::Contains("the queue's arguments"));
  CHECK_THAT(refused({.exclusive = true, .arguments = QuorumArgs()}, kNoDefault),
             Catch::Contains("exclusive=true"));
  CHECK_THAT(refused({.auto_delete = true, .arguments = QuorumArgs()}, kNoDefault),
             Catch::Contains("auto_delete=true"));
  CHECK_THAT(refused({.auto_delete = true}, kQuorumDefault),
             Catch::Contains("auto_delete=true") && Catch::Contains("URL's queue_type"));
  CHECK_THAT(refused({.arguments = FieldTable{{"x-queue-type", "quorum"}, {"x-max-priority", 5}}},
                     kNoDefault),
             Catch::Contains("x-max-priority"));
  CHECK_THAT(
      refused({.arguments = FieldTable{{"x-queue-type", "quorum"}, {"x-queue-mode", "lazy"}}},
              kNoDefault),
      Catch::Contains("x-queue-mode"));
  CHECK_THAT(refused({.arguments = FieldTable{{"x-queue-type", "stream"}}}, kNoDefault),
             Catch::Contains("classic or quorum"));
  auto unnamed =
      ResolveServerQueue({}, QueueOptions{.name = "", .arguments = QuorumArgs()}, kNoDefault);
  REQUIRE_FALSE(unnamed.ok());
  CHECK_THAT(unnamed.status().message(), Catch::Contains("server-named"));
}

TEST_CASE("broker url: queue_type sets the server queue default", "[url]") {
  auto url = ParseBrokerUrl("amqp://localhost/?queue_type=quorum");
  REQUIRE(url.ok());
  REQUIRE(url->queue_type.has_value());
  CHECK(*url->queue_type == QueueType::kQuorum);
  CHECK_FALSE(ParseBrokerUrl("amqp://localhost")->queue_type.has_value());
  auto bad = ParseBrokerUrl("amqp://localhost/?queue_type=stream");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::Contains("queue_type") && Catch::Contains("stream"));
}

}  // namespace
}  // namespace brokrpc::internal
