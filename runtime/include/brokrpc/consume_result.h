// ConsumeResult: what a consumer decided about a delivery.
#ifndef BROKRPC_CONSUME_RESULT_H_
#define BROKRPC_CONSUME_RESULT_H_

#include <chrono>
#include <string>

#include "brokrpc/status.h"

namespace brokrpc {

// The outcome of handling one delivery, mapped to AMQP by the consumer:
//   Ack            -> basic.ack
//   Reject         -> basic.reject(requeue=false)  (dropped, or dead-lettered by the queue)
//   Retry(delay)   -> wait `delay`, then basic.reject(requeue=true)
//   Failed(status) -> the handler failed (threw, could not decode, ...): basic.reject(requeue=
//                     false) unless a middleware turns it into something else (RetryOnError).
//                     An RPC server answers a failed request with an error reply and acks it.
class ConsumeResult {
 public:
  enum class Kind { kAck, kReject, kRetry, kFailed };

  static ConsumeResult Ack() { return ConsumeResult(Kind::kAck, {}, Status()); }
  static ConsumeResult Reject(Status reason = Status()) {
    return ConsumeResult(Kind::kReject, {}, std::move(reason));
  }
  static ConsumeResult Retry(std::chrono::milliseconds delay, Status reason = Status()) {
    return ConsumeResult(Kind::kRetry, delay, std::move(reason));
  }
  static ConsumeResult Failed(Status error) {
    if (error.ok()) error = Status(StatusCode::kUnknown, "consumer failed");
    return ConsumeResult(Kind::kFailed, {}, std::move(error));
  }

  Kind kind() const { return kind_; }
  bool is_ack() const { return kind_ == Kind::kAck; }
  // The retry delay (kRetry only).
  std::chrono::milliseconds delay() const { return delay_; }
  // Why: the rejection reason or the failure.
  const Status& status() const { return status_; }

  // "ack", "reject(...)", "retry(100ms)", "failed(INTERNAL: ...)".
  std::string ToString() const;

 private:
  ConsumeResult(Kind kind, std::chrono::milliseconds delay, Status status)
      : kind_(kind), delay_(delay), status_(std::move(status)) {}

  Kind kind_;
  std::chrono::milliseconds delay_{0};
  Status status_;
};

}  // namespace brokrpc

#endif  // BROKRPC_CONSUME_RESULT_H_
