// AckBatcher: which basic.ack frames to write for one consumer channel, batching acks that
// became due in one I/O loop pass into a single basic.ack(multiple) where that is safe.
#ifndef BROKRPC_SRC_AMQP_ACK_BATCHER_H_
#define BROKRPC_SRC_AMQP_ACK_BATCHER_H_

#include <cstdint>
#include <set>
#include <vector>

namespace brokrpc::internal {

// basic.ack(multiple=true, tag T) acks every unacked delivery of the channel up to T, so it is
// only written when every delivery up to T is due for an ack; acks above the oldest delivery
// still being handled are written one by one. Pure bookkeeping, no I/O; not thread-safe (lives
// on the I/O thread).
class AckBatcher {
 public:
  // One basic.ack frame to write.
  struct AckFrame {
    uint64_t tag;
    bool multiple;
    bool operator==(const AckFrame& o) const { return tag == o.tag && multiple == o.multiple; }
  };

  // A delivery arrived and is now being handled.
  void Delivered(uint64_t tag) { handling_.insert(tag); }
  // The delivery is to be acked (written at the next Flush).
  void Ack(uint64_t tag);
  // The delivery was settled some other way (reject, requeue): written by the caller at once.
  void Forget(uint64_t tag) { handling_.erase(tag); }
  // The acks to write now, oldest first; clears them.
  std::vector<AckFrame> Flush();
  // The channel is gone (closed, connection lost): nothing of it is pending any more.
  void Reset();

  bool has_pending() const { return !due_.empty(); }

 private:
  std::set<uint64_t> handling_;  // delivered, not yet settled
  std::vector<uint64_t> due_;    // to be acked at the next flush
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_ACK_BATCHER_H_
