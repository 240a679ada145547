#include "brokrpc/message.h"

#include <charconv>

namespace brokrpc {

std::optional<std::chrono::milliseconds> Message::ttl() const {
  if (!properties.expiration) return std::nullopt;
  const std::string& e = *properties.expiration;
  int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(e.data(), e.data() + e.size(), ms);
  if (ec != std::errc() || ptr != e.data() + e.size() || ms < 0) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

void Message::set_ttl(std::chrono::milliseconds ttl) {
  properties.expiration = std::to_string(ttl.count() < 0 ? 0 : ttl.count());
}

}  // namespace brokrpc
