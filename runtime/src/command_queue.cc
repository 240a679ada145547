#include "command_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace brokrpc::internal {

CommandQueue::CommandQueue() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

CommandQueue::~CommandQueue() { close(fd_); }

void CommandQueue::Post(Command command) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(command));
    wake = !signalled_;
    signalled_ = true;
  }
  if (wake) {
    uint64_t one = 1;
    ssize_t n;
    do {
      n = write(fd_, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
  }
}

void CommandQueue::TakeAll(std::deque<Command>* out) {
  uint64_t value;
  ssize_t n;
  do {
    n = read(fd_, &value, sizeof(value));
  } while (n < 0 && errno == EINTR);
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
