#include "amqp/confirm_tracker.h"

#include <vector>

namespace brokrpc::internal {

uint64_t ConfirmTracker::Add(PublishDone done, std::optional<std::string> message_id) {
  uint64_t seq = next_seq_++;
  pending_.emplace(seq, Pending{std::move(done), std::move(message_id), std::nullopt});
  return seq;
}

void ConfirmTracker::OnAck(uint64_t tag, bool multiple) {
  Complete(tag, multiple, PublishOutcome::Confirmed());
}

void ConfirmTracker::OnNack(uint64_t tag, bool multiple) {
  Complete(tag, multiple,
           PublishOutcome::Nacked(UnavailableError(
               "publish: the broker nacked the message (an internal error in the queue process); "
               "it may not have been delivered")));
}

void ConfirmTracker::Complete(uint64_t tag, bool multiple, const PublishOutcome& base) {
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
  for (auto& p : done) {
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
