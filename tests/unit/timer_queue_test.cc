// TimerQueue: due order, never early, Cancel, a callback cancelling itself or shutting the queue
// down, and the use-after-free fixed in 554e2ad (Loop waited on a key a Cancel() had erased).
// Callbacks only record; every assertion runs on the test's thread.
#include "base/timer_queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "support/test_support.h"

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;
using Clock = TimerQueue::Clock;

// Keeps the timer thread busy in a callback until Release(): timers scheduled meanwhile cannot
// run early, however slowly the test thread gets to its next step on a loaded machine.
class Hold {
 public:
  explicit Hold(TimerQueue& timers) : open_(gate_.get_future().share()) {
    auto holding = std::make_shared<std::promise<void>>();
    auto held = holding->get_future();
    timers.ScheduleAfter(0ms, [holding, open = open_] {
      holding->set_value();
      open.wait();
    });
    held.wait();
  }
  ~Hold() { Release(); }
  void Release() {
    if (!released_) gate_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> gate_;
  std::shared_future<void> open_;
  bool released_ = false;
};

TEST_CASE("timer queue: callbacks run in due order, never before their time", "[timers]") {
  TimerQueue timers;
  std::mutex mu;
  std::vector<int> order;
  std::vector<bool> on_time(3, false);
  testing::Latch done(3);
  Hold hold(timers);
  const auto base = Clock::now();
  const Clock::time_point due[3] = {base + 60ms, base + 20ms, base + 40ms};
  for (int i = 0; i < 3; ++i) {
    timers.ScheduleAt(due[i], [&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      on_time[i] = Clock::now() >= due[i];
      done.CountDown();
    });
  }
  hold.Release();
  REQUIRE(done.Wait(30s));
  std::lock_guard<std::mutex> lock(mu);
  CHECK(order == std::vector<int>{1, 2, 0});
  CHECK(on_time == std::vector<bool>{true, true, true});
}

TEST_CASE("timer queue: a cancelled timer never runs, Cancel is true only while pending",
          "[timers]") {
  TimerQueue timers;
  std::atomic<bool> cancelled_ran{false};
  std::promise<void> later_ran;
  Hold hold(timers);
  const auto base = Clock::now();
  uint64_t cancelled = timers.ScheduleAt(base + 20ms, [&] { cancelled_ran = true; });
  uint64_t later = timers.ScheduleAt(base + 40ms, [&] { later_ran.set_value(); });
  CHECK(timers.Cancel(cancelled));
  CHECK_FALSE(timers.Cancel(cancelled));  // already gone
  CHECK_FALSE(timers.Cancel(987654321));  // never scheduled
  hold.Release();
  // Timers run in due order: once the later one ran, the cancelled one would have run before it.
  REQUIRE(later_ran.get_future().wait_for(30s) == std::future_status::ready);
  CHECK_FALSE(cancelled_ran.load());
  CHECK_FALSE(timers.Cancel(later));  // it ran
}

TEST_CASE("timer queue: a callback cancelling itself gets false, on the timer thread", "[timers]") {
  TimerQueue timers;
  std::atomic<uint64_t> id{0};
  std::promise<std::pair<bool, bool>> seen;  // {Cancel(own id), OnTimerThread()}
  std::promise<void> scheduled;
  std::shared_future<void> ready = scheduled.get_future().share();
  id = timers.ScheduleAfter(0ms, [&] {
    ready.wait();  // `id` is set
    seen.set_value({timers.Cancel(id.load()), timers.OnTimerThread()});
  });
  scheduled.set_value();
  auto result = seen.get_future();
  REQUIRE(result.wait_for(30s) == std::future_status::ready);
  auto [cancelled, on_timer_thread] = result.get();
  CHECK_FALSE(cancelled);  // it is running: too late to cancel
  CHECK(on_timer_thread);
  CHECK_FALSE(timers.OnTimerThread());
}

TEST_CASE("timer queue: a callback may shut the queue down, nothing runs after", "[timers]") {
  std::atomic<int> ran_after{0};
  std::promise<void> shut;
  {
    TimerQueue timers;
    const auto base = Clock::now();
    timers.ScheduleAt(base, [&] {
      timers.Shutdown();  // on the timer thread: must not join itself
      shut.set_value();
    });
    timers.ScheduleAt(base + 10ms, [&] { ++ran_after; });
    REQUIRE(shut.get_future().wait_for(30s) == std::future_status::ready);
    timers.ScheduleAfter(0ms, [&] { ++ran_after; });  // after Shutdown: dropped
  }  // the destructor joins the (stopped) timer thread from this thread
  CHECK(ran_after.load() == 0);
}

TEST_CASE("timer queue: pending timers are dropped by Shutdown", "[timers]") {
  std::atomic<bool> ran{false};
  TimerQueue timers;
  timers.ScheduleAfter(1h, [&] { ran = true; });
  timers.Shutdown();
  timers.Shutdown();  // idempotent
  CHECK_FALSE(ran.load());
}

// The bug fixed in 554e2ad: Loop() called wait_until(lock, first->first), a reference into the
// multimap node of the timer it waited for; a Cancel() erased that node, and when the next
// ScheduleAt() woke the thread, wait_until read the freed key. Each round below makes the thread
// wait for a far timer, cancels it and schedules a near one that must still run. Without a
// sanitizer the old code mostly passed anyway; under ./scripts/sanitize (ASan) it reports the
// heap-use-after-free.
TEST_CASE("timer queue: cancelling the timer the thread waits for, then scheduling, is safe",
          "[timers]") {
  TimerQueue timers;
  for (int round = 0; round < 200; ++round) {
    std::promise<uint64_t> far_scheduled;
    // Scheduled from a callback: when the callback returns, the timer thread's next step is to
    // wait for the far timer.
    timers.ScheduleAfter(0ms, [&] { far_scheduled.set_value(timers.ScheduleAfter(1h, [] {})); });
    auto far = far_scheduled.get_future();
    REQUIRE(far.wait_for(30s) == std::future_status::ready);
    REQUIRE(timers.Cancel(far.get()));
    std::promise<void> near_ran;
    timers.ScheduleAfter(1ms, [&] { near_ran.set_value(); });
    INFO("round " << round);
    REQUIRE(near_ran.get_future().wait_for(30s) == std::future_status::ready);
  }
}

}  // namespace
}  // namespace brokrpc::internal
