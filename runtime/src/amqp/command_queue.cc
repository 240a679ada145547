#include "amqp/command_queue.h"

namespace brokrpc::internal {

void CommandQueue::Post(Command command) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(command));
    wake = !signalled_;
    signalled_ = true;
  }
  if (wake) wake_.Signal();
}

void CommandQueue::TakeAll(std::deque<Command>* out) {
  wake_.Clear();
  std::lock_guard<std::mutex> lock(mu_);
  signalled_ = false;
  if (out->empty()) {
    out->swap(queue_);
  } else {
    for (auto& c : queue_) out->push_back(std::move(c));
    queue_.clear();
  }
}

}  // namespace brokrpc::internal
