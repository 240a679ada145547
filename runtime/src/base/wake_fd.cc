#include "base/wake_fd.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace brokrpc::internal {

WakeFd::WakeFd() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

WakeFd::~WakeFd() { close(fd_); }

void WakeFd::Signal() {
  uint64_t one = 1;
  ssize_t n;
  do {
    n = write(fd_, &one, sizeof(one));
  } while (n < 0 && errno == EINTR);
}

void WakeFd::Clear() {
  uint64_t value;
  ssize_t n;
  do {
    n = read(fd_, &value, sizeof(value));
  } while (n < 0 && errno == EINTR);
}

}  // namespace brokrpc::internal
