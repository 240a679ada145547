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
};

TEST_CASE("connection waiters: woken when the connection is settled, on a pool thread") {
  Rig rig;
  Told a, b;
  CHECK(rig.waiters->Then(SystemClock::now() + 60s, a.then()) != 0);
  CHECK(rig.waiters->Then(SystemClock::now() + 60s, b.then()) != 0);
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
  CHECK(rig.waiters->Then(SystemClock::now() + 60s, a.then()) == 0);
  CHECK(a.Get());
  CHECK(a.thread == std::this_thread::get_id());
}

TEST_CASE("connection waiters: the deadline and a cancel end a waiter unsettled") {
  Rig rig;
  Told timed_out, cancelled, woken;
  rig.waiters->Then(SystemClock::now() + 50ms, timed_out.then());
  uint64_t id = rig.waiters->Then(SystemClock::now() + 60s, cancelled.then());
  rig.waiters->Then(SystemClock::now() + 60s, woken.then());
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

TEST_CASE("connection waiters: waiters left when they are destroyed end unsettled") {
  Rig rig;
  Told left;
  rig.waiters->Then(SystemClock::now() + 60s, left.then());
  rig.waiters.reset();
  CHECK_FALSE(left.Get());
}

}  // namespace
}  // namespace brokrpc::internal
