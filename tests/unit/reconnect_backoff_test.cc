#include "amqp/reconnect_backoff.h"

#include <catch2/catch.hpp>
#include <vector>

namespace brokrpc::internal {
namespace {

using std::chrono::milliseconds;

TEST_CASE("reconnect backoff: starts at initial, doubles up to max", "[backoff]") {
  ReconnectBackoff b(milliseconds(100), milliseconds(500), [](int, int) { return 100; });
  CHECK(b.Restart() == milliseconds(100));
  CHECK(b.Failed() == milliseconds(200));
  CHECK(b.Failed() == milliseconds(400));
  CHECK(b.Failed() == milliseconds(500));
  CHECK(b.Failed() == milliseconds(500));
  CHECK(b.backoff() == milliseconds(500));
  // A new loss starts over.
  CHECK(b.Restart() == milliseconds(100));
  CHECK(b.Failed() == milliseconds(200));
}

TEST_CASE("reconnect backoff: jitter is 80..120 % of the backoff", "[backoff]") {
  std::vector<std::pair<int, int>> asked;
  int pick = 80;
  ReconnectBackoff b(milliseconds(1000), milliseconds(60000), [&](int low, int high) {
    asked.emplace_back(low, high);
    return pick;
  });
  b.Restart();
  CHECK(b.Failed() == milliseconds(1600));  // 80 % of 2000
  pick = 120;
  CHECK(b.Failed() == milliseconds(4800));  // 120 % of 4000
  CHECK(b.backoff() == milliseconds(4000));
  REQUIRE(asked.size() == 2);
  CHECK(asked[0] == std::pair<int, int>(80, 120));
}

TEST_CASE("reconnect backoff: the default random source stays within the jitter", "[backoff]") {
  ReconnectBackoff b(milliseconds(1000), milliseconds(1000));
  b.Restart();
  for (int i = 0; i < 100; ++i) {
    auto wait = b.Failed();
    CHECK(wait >= milliseconds(800));
    CHECK(wait <= milliseconds(1200));
  }
}

TEST_CASE("reconnect backoff: each failure moves on to the next host", "[backoff]") {
  ReconnectBackoff b(milliseconds(10), milliseconds(100), [](int, int) { return 100; });
  CHECK(b.host_index() == 0);
  b.Failed();
  b.Failed();
  CHECK(b.host_index() == 2);
  b.Restart();  // a new loss keeps the host rotation going
  CHECK(b.host_index() == 2);
}

TEST_CASE("reconnect backoff: after a loss the next attempt starts with another host",
          "[backoff]") {
  int pick = 0;
  ReconnectBackoff b(milliseconds(10), milliseconds(100), [&](int low, int high) {
    CHECK(low == 0);
    CHECK(high == 1);  // three hosts: one of the two others
    return pick;
  });
  CHECK(b.Lost(0, 3) == milliseconds(10));
  CHECK(b.host_index() % 3 == 1);
  pick = 1;
  b.Lost(0, 3);
  CHECK(b.host_index() % 3 == 2);
  b.Lost(2, 3);
  CHECK(b.host_index() % 3 == 1);
  ReconnectBackoff one(milliseconds(10), milliseconds(100), [](int, int) { return 0; });
  one.Lost(0, 1);  // a single host: nothing to pick
  CHECK(one.host_index() == 0);
}

TEST_CASE("reconnect backoff: the first failures after a loss are early", "[backoff]") {
  ReconnectBackoff b(milliseconds(100), milliseconds(5000), [](int, int) { return 100; });
  b.Restart();
  b.Failed();  // 200
  CHECK(b.early());
  b.Failed();  // 400
  CHECK_FALSE(b.early());
}

}  // namespace
}  // namespace brokrpc::internal
