#include "amqp/reconnect_backoff.h"

#include <algorithm>
#include <random>
#include <utility>

namespace brokrpc::internal {
namespace {

int DefaultRandom(int low, int high) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pick(low, high);
  return pick(rng);
}

}  // namespace

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                   Random random)
    : initial_(initial), max_(max), random_(random ? std::move(random) : Random(DefaultRandom)) {}

std::chrono::milliseconds ReconnectBackoff::Restart() {
  backoff_ = initial_;
  return backoff_;
}

std::chrono::milliseconds ReconnectBackoff::Lost(size_t lost, size_t hosts) {
  if (hosts > 1)
    host_index_ = lost + 1 + static_cast<size_t>(random_(0, static_cast<int>(hosts) - 2));
  return Restart();
}

std::chrono::milliseconds ReconnectBackoff::Failed() {
  ++host_index_;  // several hosts: try the next one first next time
  backoff_ = std::min(max_, backoff_ * 2);
  // Jitter: 80..120% of the backoff, so that many clients do not reconnect in step.
  return backoff_ * random_(80, 120) / 100;
}

}  // namespace brokrpc::internal
