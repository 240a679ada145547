// TimerQueue: one thread that runs callbacks at given times (deadlines, retry delays).
#ifndef BROKRPC_SRC_BASE_TIMER_QUEUE_H_
#define BROKRPC_SRC_BASE_TIMER_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace brokrpc::internal {

// Thread-safe. Callbacks run on the timer thread, one at a time, and must be short (post real
// work elsewhere). Cancel() of a timer whose callback is running returns false.
// Must not be destroyed on its own thread (from a callback): its owner hands the teardown to
// another thread then (Broker::~Broker does).
class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  uint64_t ScheduleAt(Clock::time_point when, std::function<void()> callback);
  uint64_t ScheduleAfter(Clock::duration delay, std::function<void()> callback) {
    return ScheduleAt(Clock::now() + delay, std::move(callback));
  }
  // True when the timer was pending and will not run.
  bool Cancel(uint64_t id);
  // Drops pending timers and joins the thread. Idempotent.
  void Shutdown();
  // True on the timer thread.
  bool OnTimerThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, uint64_t> by_time_;
  std::unordered_map<uint64_t, std::pair<Clock::time_point, std::function<void()>>> timers_;
  uint64_t next_id_ = 1;
  // When the timer thread will wake up next (max: not until notified).
  Clock::time_point wake_at_ = Clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_BASE_TIMER_QUEUE_H_
