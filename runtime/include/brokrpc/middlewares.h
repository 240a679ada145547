// The middlewares brokrpc ships: logging, reject-undecodable, retry-on-error.
#ifndef BROKRPC_MIDDLEWARES_H_
#define BROKRPC_MIDDLEWARES_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "brokrpc/consumer.h"
#include "brokrpc/logging.h"
#include "brokrpc/publisher.h"

namespace brokrpc {

// Logs each delivery with its result and how long the handler took.
class LoggingConsumerMiddleware : public ConsumerMiddleware {
 public:
  explicit LoggingConsumerMiddleware(LogLevel level = LogLevel::kInfo) : level_(level) {}
  ConsumeResult Handle(Message& message, Next next) override;

 private:
  LogLevel level_;
};

// Logs each publish with its outcome and duration.
class LoggingPublisherMiddleware : public PublisherMiddleware {
 public:
  explicit LoggingPublisherMiddleware(LogLevel level = LogLevel::kInfo) : level_(level) {}
  Status Handle(Message& message, Next next) override;

 private:
  LogLevel level_;
};

// Turns a failure to decode (Failed with INVALID_ARGUMENT) into a logged Reject, so an
// undecodable message is dropped once (or dead-lettered) and never retried or requeued.
class RejectUndecodableMiddleware : public ConsumerMiddleware {
 public:
  ConsumeResult Handle(Message& message, Next next) override;
};

// Settings of RetryOnErrorMiddleware.
struct RetryOnErrorOptions {
  // Wait before each requeue.
  std::chrono::milliseconds delay{1000};
  // Deliveries in all, the first included; the last failure is rejected without requeue.
  int max_attempts = 3;
  // Codes worth retrying; empty means every code but INVALID_ARGUMENT.
  std::vector<StatusCode> retryable_codes{};
};

// Retries failed deliveries: Failed(status) becomes Retry(delay) until max_attempts deliveries
// of that message failed, then Reject. Attempts are counted per message_id (or body when it has
// none) in a bounded in-process table.
class RetryOnErrorMiddleware : public ConsumerMiddleware {
 public:
  explicit RetryOnErrorMiddleware(RetryOnErrorOptions options = {});
  ConsumeResult Handle(Message& message, Next next) override;

 private:
  bool Retryable(StatusCode code) const;

  RetryOnErrorOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, int> attempts_;
};

}  // namespace brokrpc

#endif  // BROKRPC_MIDDLEWARES_H_
