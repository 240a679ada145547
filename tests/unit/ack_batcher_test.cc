#include "amqp/ack_batcher.h"

#include <catch2/catch.hpp>

namespace brokrpc::internal {
namespace {

using Frames = std::vector<AckBatcher::AckFrame>;

TEST_CASE("ack batcher: acks due together become one multiple ack", "[ack]") {
  AckBatcher b;
  for (uint64_t t = 1; t <= 4; ++t) b.Delivered(t);
  b.Ack(2);
  b.Ack(1);
  b.Ack(3);
  CHECK(b.Flush() == Frames{{3, true}});
  CHECK_FALSE(b.has_pending());
  b.Ack(4);
  CHECK(b.Flush() == Frames{{4, false}});
  CHECK(b.Flush().empty());
}

TEST_CASE("ack batcher: never acks past a delivery still being handled", "[ack]") {
  AckBatcher b;
  for (uint64_t t = 1; t <= 5; ++t) b.Delivered(t);
  b.Ack(1);
  b.Ack(4);
  b.Ack(5);  // 2 and 3 are still running: 4 and 5 go one by one
  CHECK(b.Flush() == Frames{{1, false}, {4, false}, {5, false}});
  b.Forget(2);  // rejected by the caller
  b.Ack(3);
  CHECK(b.Flush() == Frames{{3, false}});
}

TEST_CASE("ack batcher: unknown, repeated and reset tags are not acked", "[ack]") {
  AckBatcher b;
  b.Delivered(7);
  b.Ack(7);
  b.Ack(7);
  b.Ack(9);
  CHECK(b.Flush() == Frames{{7, false}});
  b.Delivered(8);
  b.Reset();
  b.Ack(8);
  CHECK(b.Flush().empty());
}

}  // namespace
}  // namespace brokrpc::internal
