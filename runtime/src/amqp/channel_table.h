// ChannelTable: the channels of one AMQP connection, and the publish lanes and consumers on them.
#ifndef BROKRPC_SRC_AMQP_CHANNEL_TABLE_H_
#define BROKRPC_SRC_AMQP_CHANNEL_TABLE_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "amqp/ack_batcher.h"
#include "amqp/confirm_tracker.h"
#include "brokrpc/status_or.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// What a channel number is used for: the topology channel, a publish lane or a consumer
// (`owner`: the lane or consumer id).
struct ChannelUse {
  enum class Kind { kTopology, kLane, kConsumer } kind;
  uint64_t owner = 0;
};

// A publish lane: its channel (0 until opened, and after it closed) and its confirms.
struct Lane {
  uint16_t channel = 0;
  ConfirmTracker confirms;
};

// A consumer: its channel (0 while it has none), the broker's consumer tag and the request, kept
// across reconnects (re-subscribed on a new channel).
struct ConsumerState {
  uint16_t channel = 0;
  std::string tag;
  ConsumeRequest request;
  AckBatcher acks;  // deliveries of the current channel; acks due at the end of a loop pass
  bool cancelled = false;
  bool gone = false;
};

// Allocates channel numbers (never-used numbers first, up to channel_max, then freed ones),
// remembers what each open channel is used for, and finds the lane or consumer of a channel.
// Lanes and consumers outlive their channels (a reconnect gives them new ones). Not thread-safe
// (lives on the transport's I/O thread).
class ChannelTable {
 public:
  // A new connection (or none): no channel in use, numbering starts over at 1.
  void Reset();
  // Takes a free channel number for `use`. `channel_max`: the connection's limit (0: none, that
  // is 65535). RESOURCE_EXHAUSTED when every number is in use.
  StatusOr<uint16_t> Allocate(ChannelUse use, int channel_max);
  // The channel closed: its number is free again. Returns what it was used for (nullopt: it was
  // not in use).
  std::optional<ChannelUse> Free(uint16_t channel);
  bool in_use(uint16_t channel) const { return uses_.count(channel) > 0; }

  // The lane / consumer that `channel` is used for; nullptr if none (or no longer there).
  Lane* LaneOn(uint16_t channel);
  ConsumerState* ConsumerOn(uint16_t channel);

  std::unordered_map<uint32_t, Lane>& lanes() { return lanes_; }
  std::unordered_map<uint64_t, ConsumerState>& consumers() { return consumers_; }

 private:
  // The owner of `channel` if it is used for `kind`.
  std::optional<uint64_t> Owner(uint16_t channel, ChannelUse::Kind kind) const;

  std::unordered_map<uint16_t, ChannelUse> uses_;
  std::deque<uint16_t> free_;
  uint16_t next_ = 1;
  std::unordered_map<uint32_t, Lane> lanes_;
  std::unordered_map<uint64_t, ConsumerState> consumers_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_CHANNEL_TABLE_H_
