#include "brokrpc/middlewares.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "base/log.h"

namespace brokrpc {
namespace {

constexpr size_t kMaxTrackedMessages = 10000;

std::string Describe(const Message& m) {
  return fmt::format("exchange='{}' routing_key='{}' message_id='{}' {} bytes", m.exchange,
                     m.routing_key, m.properties.message_id.value_or(""), m.body.size());
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

std::string AttemptKey(const Message& m) {
  if (m.properties.message_id) return "id:" + *m.properties.message_id;
  return "body:" + m.routing_key + ":" + std::to_string(std::hash<std::string>{}(m.body));
}

}  // namespace

ConsumeResult LoggingConsumerMiddleware::Handle(Message& message, Next next) {
  auto start = std::chrono::steady_clock::now();
  ConsumeResult result = next(message);
  BROKRPC_LOG(level_, "consumed {}: {} in {} us", Describe(message), result.ToString(),
              MicrosSince(start));
  return result;
}

Status LoggingPublisherMiddleware::Handle(Message& message, Next next) {
  auto start = std::chrono::steady_clock::now();
  std::string what = Describe(message);
  Status status = next(message);
  BROKRPC_LOG(level_, "published {}: {} in {} us", what, status.ToString(), MicrosSince(start));
  return status;
}

ConsumeResult RejectUndecodableMiddleware::Handle(Message& message, Next next) {
  ConsumeResult result = next(message);
  if (result.kind() == ConsumeResult::Kind::kFailed &&
      result.status().code() == StatusCode::kInvalidArgument) {
    BROKRPC_LOG_WARNING("rejecting undecodable message ({}): {}", Describe(message),
                        result.status().message());
    return ConsumeResult::Reject(result.status());
  }
  return result;
}

RetryOnErrorMiddleware::RetryOnErrorMiddleware(RetryOnErrorOptions options)
    : options_(std::move(options)) {
  options_.max_attempts = std::max(options_.max_attempts, 1);
}

bool RetryOnErrorMiddleware::Retryable(StatusCode code) const {
  if (options_.retryable_codes.empty()) return code != StatusCode::kInvalidArgument;
  return std::find(options_.retryable_codes.begin(), options_.retryable_codes.end(), code) !=
         options_.retryable_codes.end();
}

ConsumeResult RetryOnErrorMiddleware::Handle(Message& message, Next next) {
  std::string key = AttemptKey(message);
  ConsumeResult result = next(message);
  if (result.kind() != ConsumeResult::Kind::kFailed || !Retryable(result.status().code())) {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_.erase(key);
    return result;
  }
  int attempt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (attempts_.size() >= kMaxTrackedMessages && !attempts_.count(key)) attempts_.clear();
    attempt = ++attempts_[key];
    if (attempt >= options_.max_attempts) attempts_.erase(key);
  }
  if (attempt >= options_.max_attempts) {
    BROKRPC_LOG_WARNING("giving up on {} after {} attempts: {}", Describe(message), attempt,
                        result.status().ToString());
    return ConsumeResult::Reject(result.status());
  }
  BROKRPC_LOG_INFO("retrying {} in {} ms (attempt {} of {}): {}", Describe(message),
                   options_.delay.count(), attempt, options_.max_attempts,
                   result.status().ToString());
  return ConsumeResult::Retry(options_.delay, result.status());
}

}  // namespace brokrpc
