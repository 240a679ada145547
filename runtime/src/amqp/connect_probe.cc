#include "amqp/connect_probe.h"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace brokrpc::internal {
namespace {

// The reason one address refuses a connection, or "" if it accepts one.
std::string ProbeAddress(const addrinfo& ai, std::chrono::milliseconds timeout) {
  int fd = socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return std::strerror(errno);
  std::string reason;
  if (connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      reason = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      int n = poll(&p, 1, static_cast<int>(timeout.count()));
      int err = 0;
      socklen_t len = sizeof(err);
      if (n == 0) {
        reason = fmt::format("timed out after {} ms", timeout.count());
      } else if (n < 0) {
        reason = std::strerror(errno);
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) {
        reason = std::strerror(err);
      }
    }
  }
  close(fd);
  return reason;
}

}  // namespace

std::string ProbeConnectFailure(const std::string& host, int port,
                                std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return gai_strerror(rc);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  std::string reason;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    reason = ProbeAddress(*ai, timeout);
    if (reason.empty()) return "";
  }
  return reason;
}

}  // namespace brokrpc::internal
