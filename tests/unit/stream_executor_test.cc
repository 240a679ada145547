// StreamExecutor: at most max_threads threads, reused; a task posted at capacity runs once a
// thread is free; nothing runs after Shutdown().
#include "rpc/stream_executor.h"

#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;

TEST_CASE("stream executor: bounded threads, reused, a task at capacity waits for one",
          "[executor]") {
  StreamExecutor executor(2);
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::vector<std::promise<void>> started(5);
  auto task = [&](int i) {
    return [&, i] {
      {
        std::lock_guard<std::mutex> lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      started[i].set_value();
      if (i < 2) open.wait();  // the first two hold both threads
    };
  };
  REQUIRE(executor.Post(task(0)));
  REQUIRE(executor.Post(task(1)));
  REQUIRE(started[0].get_future().wait_for(30s) == std::future_status::ready);
  REQUIRE(started[1].get_future().wait_for(30s) == std::future_status::ready);
  // At capacity: queued, not run, until a thread is free.
  REQUIRE(executor.Post(task(2)));
  auto third = started[2].get_future();
  CHECK(third.wait_for(0s) == std::future_status::timeout);
  gate.set_value();
  REQUIRE(third.wait_for(30s) == std::future_status::ready);
  REQUIRE(executor.Post(task(3)));
  REQUIRE(executor.Post(task(4)));
  executor.Shutdown();  // runs what was posted, then joins
  CHECK(started[3].get_future().wait_for(0s) == std::future_status::ready);
  CHECK(started[4].get_future().wait_for(0s) == std::future_status::ready);
  CHECK(threads.size() == 2);
  CHECK_FALSE(executor.Post([] {}));
  executor.Shutdown();  // idempotent
}

TEST_CASE("stream executor: no threads, nothing runs", "[executor]") {
  StreamExecutor executor(0);
  CHECK_FALSE(executor.Post([] {}));
}

}  // namespace
}  // namespace brokrpc::internal
