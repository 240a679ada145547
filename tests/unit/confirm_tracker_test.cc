#include "amqp/confirm_tracker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace brokrpc::internal {
namespace {

struct Recorder {
  std::vector<std::pair<int, PublishOutcome>> results;
  PublishDone For(int id) {
    return [this, id](const PublishOutcome& o) { results.emplace_back(id, o); };
  }
};

TEST_CASE("confirm tracker: acks complete in order, multiple covers earlier tags", "[confirm]") {
  ConfirmTracker t;
  Recorder r;
  CHECK(t.Add(r.For(1), "a") == 1);
  CHECK(t.Add(r.For(2), "b") == 2);
  CHECK(t.Add(r.For(3), "c") == 3);
  t.OnAck(2, true);
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[0].first == 1);
  CHECK(r.results[1].first == 2);
  CHECK(r.results[1].second.ok());
  t.OnAck(3, false);
  CHECK(r.results.size() == 3);
  CHECK(t.pending() == 0);
}

TEST_CASE("confirm tracker: timed publishes report their wait for the ack to the listeners",
          "[confirm]") {
  ConnectionListeners listeners;
  std::vector<std::chrono::nanoseconds> latencies;
  uint64_t id = listeners.Add(ConnectionListener{
      .on_publish_confirmed = [&](std::chrono::nanoseconds d) { latencies.push_back(d); }});
  CHECK(listeners.timing_confirms());
  ConfirmTracker t;
  Recorder r;
  const auto written = ConfirmTracker::Clock::now() - std::chrono::milliseconds(5);
  t.Add(r.For(1), "a", written);  // timed
  t.Add(r.For(2), "b");           // not timed
  t.Add(r.For(3), "c", written);  // timed, but returned: not a confirm of a delivery
  t.OnReturn(std::string("c"), 312, UnavailableError("NO_ROUTE"));
  t.OnAck(3, true, &listeners);
  CHECK(r.results.size() == 3);
  REQUIRE(latencies.size() == 1);
  CHECK(latencies[0] >= std::chrono::milliseconds(5));
  listeners.Remove(id);
  CHECK_FALSE(listeners.timing_confirms());
}

TEST_CASE("confirm tracker: a return marks its publish, the ack completes it", "[confirm]") {
  ConfirmTracker t;
  Recorder r;
  t.Add(r.For(1), "a");
  t.Add(r.For(2), "b");
  t.OnReturn(std::string("b"), kReplyNoRoute, UnavailableError("publish: 312 NO_ROUTE"));
  t.OnAck(2, true);
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[0].second.ok());
  CHECK(r.results[1].second.kind == PublishOutcome::Kind::kReturned);
  CHECK(r.results[1].second.reply_code == kReplyNoRoute);
  CHECK(r.results[1].second.unroutable());
  CHECK(r.results[1].second.status.code() == StatusCode::kUnavailable);
}

TEST_CASE("confirm tracker: nack and FailAll", "[confirm]") {
  ConfirmTracker t;
  Recorder r;
  t.Add(r.For(1), std::nullopt);
  t.Add(r.For(2), std::nullopt);
  t.OnNack(1, false);
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].second.kind == PublishOutcome::Kind::kNacked);
  CHECK_FALSE(r.results[0].second.unroutable());
  CHECK(r.results[0].second.status.code() == StatusCode::kUnavailable);
  t.FailAll(PublishOutcome::ConnectionLost(UnavailableError("connection to host:312 lost")));
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[1].second.kind == PublishOutcome::Kind::kConnectionLost);
  // Text that happens to contain 312 means nothing: only the kind and code do.
  CHECK_FALSE(r.results[1].second.unroutable());
  CHECK(t.Add(r.For(3), std::nullopt) == 1);  // a new channel counts from 1 again
}

}  // namespace
}  // namespace brokrpc::internal
