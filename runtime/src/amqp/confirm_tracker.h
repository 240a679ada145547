// ConfirmTracker: publisher-confirm bookkeeping for one channel (acks, nacks, returns).
#ifndef BROKRPC_SRC_AMQP_CONFIRM_TRACKER_H_
#define BROKRPC_SRC_AMQP_CONFIRM_TRACKER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "transport/connection_listeners.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// Tracks publishes by sequence number (1, 2, ... after confirm.select) until the broker acks
// or nacks them. A basic.return precedes the ack of the message it returns: it is matched by
// message_id, else to the oldest unreturned publish, and that publish completes as returned
// (with the return's reply code). Not thread-safe (lives on the I/O thread).
class ConfirmTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // Registers the next publish; returns its sequence number. `done` may be empty. `written`:
  // when it was written, for timing its confirm (the epoch: not timed).
  uint64_t Add(PublishDone done, std::optional<std::string> message_id,
               Clock::time_point written = {});
  // `timing`: told how long each timed publish waited for this ack.
  void OnAck(uint64_t tag, bool multiple, const ConnectionListeners* timing = nullptr);
  void OnNack(uint64_t tag, bool multiple);
  void OnReturn(const std::optional<std::string>& message_id, int reply_code, Status status);
  // Completes every pending publish with `outcome` and resets the sequence (new channel).
  void FailAll(const PublishOutcome& outcome);
  size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    PublishDone done;
    std::optional<std::string> message_id;
    std::optional<PublishOutcome> returned;
    Clock::time_point written{};
  };
  void Complete(uint64_t tag, bool multiple, const PublishOutcome& base,
                const ConnectionListeners* timing);

  uint64_t next_seq_ = 1;
  std::map<uint64_t, Pending> pending_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_CONFIRM_TRACKER_H_
