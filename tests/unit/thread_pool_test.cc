// ThreadPool: FIFO on one thread, `size` tasks at once, OnPoolThread, Shutdown runs what is
// queued and refuses the rest. Tasks only record; every assertion runs on the test's thread.
#include "base/thread_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include <vector>

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;

TEST_CASE("thread pool: one thread runs tasks in posting order", "[pool]") {
  ThreadPool pool(1);
  CHECK(pool.size() == 1);
  std::vector<int> order;  // written by the pool thread only, read after Shutdown joined it
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(pool.Post([&order, i] { order.push_back(i); }));
  }
  pool.Shutdown();
  REQUIRE(order.size() == 1000);
  bool in_order = true;
  for (int i = 0; i < 1000; ++i) in_order &= order[i] == i;
  CHECK(in_order);
}

TEST_CASE("thread pool: size threads run tasks at the same time", "[pool]") {
  ThreadPool pool(2);
  CHECK(pool.size() == 2);
  // Each task waits for the other to start: both finish only when they run concurrently.
  std::promise<void> a_started, b_started;
  std::shared_future<void> a = a_started.get_future().share();
  std::shared_future<void> b = b_started.get_future().share();
  std::promise<bool> a_saw_b, b_saw_a;
  REQUIRE(pool.Post([&] {
    a_started.set_value();
    a_saw_b.set_value(b.wait_for(30s) == std::future_status::ready);
  }));
  REQUIRE(pool.Post([&] {
    b_started.set_value();
    b_saw_a.set_value(a.wait_for(30s) == std::future_status::ready);
  }));
  CHECK(a_saw_b.get_future().get());
  CHECK(b_saw_a.get_future().get());
}

TEST_CASE("thread pool: OnPoolThread is true on its own threads only", "[pool]") {
  ThreadPool pool(2);
  ThreadPool other(1);
  std::promise<std::pair<bool, bool>> seen;
  REQUIRE(pool.Post([&] { seen.set_value({pool.OnPoolThread(), other.OnPoolThread()}); }));
  auto [own, foreign] = seen.get_future().get();
  CHECK(own);
  CHECK_FALSE(foreign);
  CHECK_FALSE(pool.OnPoolThread());
}

TEST_CASE("thread pool: size 0 still gets one thread", "[pool]") {
  ThreadPool pool(0);
  CHECK(pool.size() == 1);
  std::promise<void> ran;
  REQUIRE(pool.Post([&] { ran.set_value(); }));
  CHECK(ran.get_future().wait_for(30s) == std::future_status::ready);
}

TEST_CASE("thread pool: Shutdown runs what is queued, then refuses new tasks", "[pool]") {
  ThreadPool pool(1);
  std::atomic<int> ran{0};
  std::atomic<int> probes_posted{0}, probes_ran{0};
  // The first task holds the only thread until Shutdown has begun (Post starts failing), so the
  // 99 tasks behind it are still queued when Shutdown is called.
  REQUIRE(pool.Post([&] {
    while (pool.Post([&] { ++probes_ran; })) {
      ++probes_posted;
      std::this_thread::yield();
    }
    ++ran;
  }));
  for (int i = 0; i < 99; ++i) REQUIRE(pool.Post([&] { ++ran; }));
  pool.Shutdown();
  CHECK(ran.load() == 100);
  CHECK(probes_ran.load() == probes_posted.load());
  CHECK_FALSE(pool.Post([&] { ++ran; }));
  pool.Shutdown();  // idempotent
  CHECK(ran.load() == 100);
}

TEST_CASE("thread pool: a task may post more tasks", "[pool]") {
  ThreadPool pool(2);
  std::promise<bool> inner_ran;
  std::atomic<bool> posted{false};
  REQUIRE(pool.Post([&] { posted = pool.Post([&] { inner_ran.set_value(true); }); }));
  auto inner = inner_ran.get_future();
  REQUIRE(inner.wait_for(30s) == std::future_status::ready);
  CHECK(inner.get());
  pool.Shutdown();
  CHECK(posted.load());
}

}  // namespace
}  // namespace brokrpc::internal
