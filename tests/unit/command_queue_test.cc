// CommandQueue over its WakeFd: a burst of posts is one wake-up, posting order is kept (per
// producer when several post at once), TakeAll clears the queue and the wake-up.
#include "amqp/command_queue.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <thread>
#include <vector>

namespace brokrpc::internal {
namespace {

// Whether the owner's poll() would return at once.
bool Readable(const CommandQueue& q) {
  pollfd p{.fd = q.wake_fd(), .events = POLLIN, .revents = 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// Runs every command in `commands`.
void RunAll(std::deque<CommandQueue::Command>& commands) {
  for (auto& c : commands) c();
}

TEST_CASE("command queue: a burst of posts signals the fd once", "[command-queue]") {
  CommandQueue q;
  CHECK_FALSE(Readable(q));
  for (int i = 0; i < 100; ++i) q.Post([] {});
  REQUIRE(Readable(q));
  // The eventfd counts the writes since it was last read: one for the whole burst.
  uint64_t writes = 0;
  REQUIRE(read(q.wake_fd(), &writes, sizeof(writes)) == sizeof(writes));
  CHECK(writes == 1);
  CHECK_FALSE(Readable(q));
  std::deque<CommandQueue::Command> out;
  q.TakeAll(&out);  // the fd is already clear: TakeAll must not block on it
  CHECK(out.size() == 100);
}

TEST_CASE("command queue: TakeAll clears, the next post signals again", "[command-queue]") {
  CommandQueue q;
  q.Post([] {});
  q.Post([] {});
  REQUIRE(Readable(q));
  std::deque<CommandQueue::Command> out;
  q.TakeAll(&out);
  CHECK(out.size() == 2);
  CHECK_FALSE(Readable(q));
  std::deque<CommandQueue::Command> again;
  q.TakeAll(&again);
  CHECK(again.empty());
  q.Post([] {});
  CHECK(Readable(q));
  q.TakeAll(&again);
  CHECK(again.size() == 1);
  CHECK_FALSE(Readable(q));
}

TEST_CASE("command queue: commands come out in posting order, appended to what is there",
          "[command-queue]") {
  CommandQueue q;
  std::vector<int> ran;
  std::deque<CommandQueue::Command> out;
  out.push_back([&] { ran.push_back(-1); });  // TakeAll appends behind what `out` holds
  for (int i = 0; i < 1000; ++i) q.Post([&ran, i] { ran.push_back(i); });
  q.TakeAll(&out);
  RunAll(out);
  REQUIRE(ran.size() == 1001);
  bool in_order = ran[0] == -1;
  for (int i = 0; i < 1000; ++i) in_order &= ran[i + 1] == i;
  CHECK(in_order);
}

TEST_CASE("command queue: several producers, each one's order kept, nothing lost",
          "[command-queue]") {
  CommandQueue q;
  constexpr int kProducers = 4;
  constexpr int kEach = 5000;
  std::vector<std::pair<int, int>> ran;  // {producer, sequence}, written by this thread only
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&q, &ran, p] {
      for (int i = 0; i < kEach; ++i) q.Post([&ran, p, i] { ran.emplace_back(p, i); });
    });
  }
  // The consumer's loop: wait for the fd, take everything, run it.
  while (ran.size() < static_cast<size_t>(kProducers * kEach)) {
    pollfd p{.fd = q.wake_fd(), .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 30000) != 1) break;  // no wake-up in 30 s: something is lost
    std::deque<CommandQueue::Command> out;
    q.TakeAll(&out);
    RunAll(out);
  }
  for (auto& t : producers) t.join();
  REQUIRE(ran.size() == static_cast<size_t>(kProducers * kEach));
  std::vector<int> next(kProducers, 0);
  bool per_producer_order = true;
  for (const auto& [p, i] : ran) per_producer_order &= i == next[p]++;
  CHECK(per_producer_order);
  // (No check that the fd ends clear: a producer's Signal() runs after its unlock, so it can land
  // after the consumer took that command — a spurious wake-up the owner tolerates.)
}

}  // namespace
}  // namespace brokrpc::internal
