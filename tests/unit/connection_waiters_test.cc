// ConnectionWaiters: waiting for the connection without a thread — woken, timed out,
// cancelled, settled already, and ended with the waiters' owner.
#include "rpc/connection_waiters.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <thread>

#include "brokrpc/broker.h"
#include "support/test_support.h"

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::UniqueName;

// What a waiter was told, and on which thread.
struct Told {
  std::promise<bool> settled;
  std::future<bool> future = settled.get_future();
  std::thread::id thread;
  std::function<void(bool)> then() {
    return [this](bool s) {
      thread = std::this_thread::get_id();
      settled.set_value(s);
    };
  }
  bool Get() {
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

struct Rig {
  std::shared_ptr<Broker> broker = ConnectedBroker("memory://" + UniqueName("waiters"));
  std::atomic<bool> up{false};
  std::shared_ptr<ConnectionWaiters> waiters = std::make_shared<ConnectionWaiters>(
      BrokerAccess::Core(*broker), [this] { return up.load(); });

  // A new waiter for `timeout` at most; returns its id.
  uint64_t Wait(std::chrono::milliseconds timeout, std::function<void(bool)> then) {
    uint64_t id = waiters->Reserve();
    waiters->Then(id, SystemClock::now() + timeout, std::move(then));
    return id;
  }
};

TEST_CASE("connection waiters: woken when the connection is settled, on a pool thread") {
  Rig rig;
  Told a, b;
  rig.Wait(60s, a.then());
  rig.Wait(60s, b.then());
  CHECK(a.future.wait_for(0s) == std::future_status::timeout);  // nothing happened yet
  rig.up = true;
  rig.waiters->Wake();
  CHECK(a.Get());
  CHECK(b.Get());
  CHECK(a.thread != std::this_thread::get_id());
  CHECK(rig.waiters->Wait(SystemClock::now() + 10s));  // settled: no wait
}

TEST_CASE("connection waiters: settled already, the waiter runs at once on the caller") {
  Rig rig;
  rig.up = true;
  Told a;
  rig.Wait(60s, a.then());
  CHECK(a.Get());
  CHECK(a.thread == std::this_thread::get_id());
}

TEST_CASE("connection waiters: the deadline and a cancel end a waiter unsettled") {
  Rig rig;
  Told timed_out, cancelled, woken;
  rig.Wait(50ms, timed_out.then());
  uint64_t id = rig.Wait(60s, cancelled.then());
  rig.Wait(60s, woken.then());
  CHECK_FALSE(timed_out.Get());
  rig.waiters->Cancel(id);
  CHECK_FALSE(cancelled.Get());
  CHECK(cancelled.thread == std::this_thread::get_id());
  rig.waiters->Cancel(id);  // ended already: nothing happens
  CHECK(woken.future.wait_for(0s) == std::future_status::timeout);
  rig.up = true;
  rig.waiters->Wake();
  CHECK(woken.Get());
}

TEST_CASE("connection waiters: cancelled between Reserve and Then, the waiter ends at once") {
  Rig rig;
  Told early;
  uint64_t id = rig.waiters->Reserve();
  rig.waiters->Cancel(id);  // a cancel hook ran before the waiter existed
  rig.waiters->Then(id, SystemClock::now() + 60s, early.then());
  CHECK_FALSE(early.Get());
  CHECK(early.thread == std::this_thread::get_id());
}

TEST_CASE("connection waiters: waiters left when they are destroyed end unsettled") {
  Rig rig;
  Told left;
  rig.Wait(60s, left.then());
  rig.waiters.reset();
  CHECK_FALSE(left.Get());
}

}  // namespace
}  // namespace brokrpc::internal
