#include "amqp/confirm_tracker.h"

#include <vector>

namespace brokrpc::internal {

uint64_t ConfirmTracker::Add(PublishDone done, std::optional<std::string> message_id,
                             Clock::time_point written) {
  uint64_t seq = next_seq_++;
  pending_.emplace(seq, Pending{std::move(done), std::move(message_id), std::nullopt, written});
  return seq;
}

void ConfirmTracker::OnAck(uint64_t tag, bool multiple, const ConnectionListeners* timing) {
  Complete(tag, multiple, PublishOutcome::Confirmed(), timing);
}

void ConfirmTracker::OnNack(uint64_t tag, bool multiple) {
  Complete(tag, multiple,
           PublishOutcome::Nacked(UnavailableError(
               "publish: the broker nacked the message (an internal error in the queue process); "
               "it may not have been delivered")),
           nullptr);
}

void ConfirmTracker::Complete(uint64_t tag, bool multiple, const PublishOutcome& base,
                              const ConnectionListeners* timing) {
  std::vector<Pending> done;
  if (multiple) {
    auto end = pending_.upper_bound(tag);
    for (auto it = pending_.begin(); it != end; ++it) done.push_back(std::move(it->second));
    pending_.erase(pending_.begin(), end);
  } else {
    auto it = pending_.find(tag);
    if (it == pending_.end()) return;
    done.push_back(std::move(it->second));
    pending_.erase(it);
  }
  const Clock::time_point now = timing != nullptr ? Clock::now() : Clock::time_point{};
  for (auto& p : done) {
    if (timing != nullptr && p.written != Clock::time_point{} && !p.returned) {
      timing->NotifyConfirmed(now - p.written);
    }
    if (!p.done) continue;
    p.done(p.returned ? *p.returned : base);
  }
}

void ConfirmTracker::OnReturn(const std::optional<std::string>& message_id, int reply_code,
                              Status status) {
  Pending* target = nullptr;
  for (auto& [seq, p] : pending_) {
    if (p.returned) continue;
    if (message_id && p.message_id == message_id) {
      target = &p;
      break;
    }
    if (target == nullptr && !message_id) target = &p;
  }
  if (target == nullptr) {  // no id match: the oldest unreturned publish
    for (auto& [seq, p] : pending_) {
      if (!p.returned) {
        target = &p;
        break;
      }
    }
  }
  if (target != nullptr) target->returned = PublishOutcome::Returned(reply_code, std::move(status));
}

void ConfirmTracker::FailAll(const PublishOutcome& outcome) {
  auto pending = std::move(pending_);
  pending_.clear();
  next_seq_ = 1;
  for (auto& [seq, p] : pending) {
    if (p.done) p.done(outcome);
  }
}

}  // namespace brokrpc::internal
