#include "connect.h"

#include <fmt/format.h>

#include <random>

namespace brokrpc::cli {

StatusOr<std::shared_ptr<Broker>> ConnectBroker(const std::string& url) {
  auto broker = Broker::Create(url);
  if (!broker.ok()) return broker.status().WithContext("bad broker URL");
  if (Status s = (*broker)->Connect(); !s.ok()) {
    return s.WithContext(fmt::format("cannot connect to {}", (*broker)->redacted_url()));
  }
  return broker;
}

std::string RandomHex() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", static_cast<uint32_t>(rd()));
  return out;
}

}  // namespace brokrpc::cli
