// MetricsRegistry: the series behind brokrpc::Metrics — per method and side, lock-free to record.
#ifndef BROKRPC_SRC_OBSERVABILITY_METRICS_REGISTRY_H_
#define BROKRPC_SRC_OBSERVABILITY_METRICS_REGISTRY_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "brokrpc/metrics.h"

namespace brokrpc::internal {

// A fixed-bucket histogram of durations. Observe() is lock-free and allocates nothing;
// thread-safe.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(std::chrono::nanoseconds d);
  HistogramSnapshot Read() const;

 private:
  const std::vector<double>* bounds_;                 // seconds, ascending; owned by the registry
  std::vector<int64_t> bounds_ns_;                    // the same in nanoseconds
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative; last = +Inf
  std::atomic<uint64_t> sum_ns_{0};
};

// The series of one method on one side. Recording is atomics only; thread-safe.
struct MethodSeries {
  MethodSeries(std::string service, std::string method, std::string type,
               const std::vector<double>* bounds)
      : service(std::move(service)),
        method(std::move(method)),
        type(std::move(type)),
        handling(bounds) {}

  const std::string service, method, type;
  std::atomic<uint64_t> started{0};
  std::array<std::atomic<uint64_t>, 17> handled{};
  std::atomic<uint64_t> msg_received{0};
  std::atomic<uint64_t> msg_sent{0};
  Histogram handling;
  std::atomic<uint64_t> unroutable{0};
  std::atomic<uint64_t> redelivered{0};

  void Handled(StatusCode code);
  MethodMetricsSnapshot Read() const;
};

// "/pkg/Service/Method" -> ("pkg.Service", "Method"); anything else -> ("", routing key).
std::pair<std::string, std::string> SplitRoutingKey(std::string_view routing_key);

// Series by side and routing key, made on first use and never removed. Thread-safe: lookups
// take a shared lock, the first call of a method an exclusive one.
class MetricsRegistry {
  // First: publish_confirm points into it.
  const std::vector<double> bounds_;

 public:
  enum class Side { kClient, kServer };

  explicit MetricsRegistry(std::vector<double> bounds);

  // The series of `routing_key` on `side`; `type` is used when it is made.
  MethodSeries& Series(Side side, std::string_view routing_key, std::string_view type);

  std::atomic<uint64_t> reconnects{0};
  Histogram publish_confirm;

  MetricsSnapshot Read() const;

 private:
  using Map = std::map<std::string, std::unique_ptr<MethodSeries>, std::less<>>;
  mutable std::shared_mutex mu_;
  Map client_;  // mu_
  Map server_;  // mu_
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_OBSERVABILITY_METRICS_REGISTRY_H_
