// CommandQueue: how other threads hand work to an I/O thread — a queue plus a wake-up fd.
#ifndef BROKRPC_SRC_AMQP_COMMAND_QUEUE_H_
#define BROKRPC_SRC_AMQP_COMMAND_QUEUE_H_

#include <deque>
#include <functional>
#include <mutex>

#include "base/wake_fd.h"

namespace brokrpc::internal {

// Multi-producer, single-consumer. Post() from any thread; the owner polls wake_fd() for
// readability and calls TakeAll(). The fd is an eventfd, written only when the queue goes from
// empty to non-empty, so a burst of posts costs one wake-up.
class CommandQueue {
 public:
  using Command = std::function<void()>;

  CommandQueue() = default;
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  void Post(Command command);
  // Clears the wake-up and moves every queued command into `out` (in posting order).
  void TakeAll(std::deque<Command>* out);
  int wake_fd() const { return wake_.fd(); }

 private:
  WakeFd wake_;
  std::mutex mu_;
  std::deque<Command> queue_;
  bool signalled_ = false;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_COMMAND_QUEUE_H_
