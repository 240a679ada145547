#include "confirm_tracker.h"

#include <catch2/catch.hpp>
#include <vector>

namespace brokrpc::internal {
namespace {

struct Recorder {
  std::vector<std::pair<int, Status>> results;
  PublishDone For(int id) {
    return [this, id](Status s) { results.emplace_back(id, std::move(s)); };
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

TEST_CASE("confirm tracker: a return marks its publish, the ack completes it", "[confirm]") {
  ConfirmTracker t;
  Recorder r;
  t.Add(r.For(1), "a");
  t.Add(r.For(2), "b");
  t.OnReturn(std::string("b"), UnavailableError("312 NO_ROUTE"));
  t.OnAck(2, true);
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[0].second.ok());
  CHECK(r.results[1].second.code() == StatusCode::kUnavailable);
}

TEST_CASE("confirm tracker: nack and FailAll", "[confirm]") {
  ConfirmTracker t;
  Recorder r;
  t.Add(r.For(1), std::nullopt);
  t.Add(r.For(2), std::nullopt);
  t.OnNack(1, false);
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].second.code() == StatusCode::kUnavailable);
  t.FailAll(CancelledError("gone"));
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[1].second.code() == StatusCode::kCancelled);
  CHECK(t.Add(r.For(3), std::nullopt) == 1);  // a new channel counts from 1 again
}

}  // namespace
}  // namespace brokrpc::internal
