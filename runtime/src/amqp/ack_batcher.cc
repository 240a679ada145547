#include "amqp/ack_batcher.h"

#include <algorithm>

namespace brokrpc::internal {

void AckBatcher::Ack(uint64_t tag) {
  if (handling_.erase(tag) == 0) return;  // unknown or already settled: never ack twice
  due_.push_back(tag);
}

std::vector<AckBatcher::AckFrame> AckBatcher::Flush() {
  std::vector<AckFrame> frames;
  if (due_.empty()) return frames;
  std::sort(due_.begin(), due_.end());
  // Everything below the oldest delivery still being handled is either due now or was acked
  // before: one multiple ack covers it.
  const uint64_t oldest_handling = handling_.empty() ? UINT64_MAX : *handling_.begin();
  auto first_above = std::lower_bound(due_.begin(), due_.end(), oldest_handling);
  if (first_above != due_.begin()) {
    uint64_t highest = *(first_above - 1);
    bool several = first_above - due_.begin() > 1;
    frames.push_back(AckFrame{highest, several});
  }
  for (auto it = first_above; it != due_.end(); ++it) frames.push_back(AckFrame{*it, false});
  due_.clear();
  return frames;
}

void AckBatcher::Reset() {
  handling_.clear();
  due_.clear();
}

}  // namespace brokrpc::internal
