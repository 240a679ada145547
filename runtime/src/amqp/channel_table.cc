#include "amqp/channel_table.h"

#include <fmt/format.h>

namespace brokrpc::internal {

void ChannelTable::Reset() {
  uses_.clear();
  free_.clear();
  next_ = 1;
}

StatusOr<uint16_t> ChannelTable::Allocate(ChannelUse use, int channel_max) {
  if (channel_max <= 0) channel_max = 65535;
  uint16_t ch;
  if (next_ <= channel_max && next_ != 0) {
    ch = next_++;
  } else if (!free_.empty()) {
    ch = free_.front();
    free_.pop_front();
  } else {
    return ResourceExhaustedError(
        fmt::format("open channel: all {} channels of the connection are in use", channel_max));
  }
  uses_[ch] = use;
  return ch;
}

std::optional<ChannelUse> ChannelTable::Free(uint16_t channel) {
  auto it = uses_.find(channel);
  if (it == uses_.end()) return std::nullopt;
  ChannelUse use = it->second;
  uses_.erase(it);
  free_.push_back(channel);
  return use;
}

std::optional<uint64_t> ChannelTable::Owner(uint16_t channel, ChannelUse::Kind kind) const {
  auto it = uses_.find(channel);
  if (it == uses_.end() || it->second.kind != kind) return std::nullopt;
  return it->second.owner;
}

Lane* ChannelTable::LaneOn(uint16_t channel) {
  std::optional<uint64_t> owner = Owner(channel, ChannelUse::Kind::kLane);
  if (!owner) return nullptr;
  auto it = lanes_.find(static_cast<uint32_t>(*owner));
  return it == lanes_.end() ? nullptr : &it->second;
}

ConsumerState* ChannelTable::ConsumerOn(uint16_t channel) {
  std::optional<uint64_t> owner = Owner(channel, ChannelUse::Kind::kConsumer);
  if (!owner) return nullptr;
  auto it = consumers_.find(*owner);
  return it == consumers_.end() ? nullptr : &it->second;
}

}  // namespace brokrpc::internal
