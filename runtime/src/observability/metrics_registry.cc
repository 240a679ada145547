#include "observability/metrics_registry.h"

#include <algorithm>
#include <mutex>

namespace brokrpc::internal {

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (double b : *bounds) bounds_ns_.push_back(static_cast<int64_t>(b * 1e9));
  for (size_t i = 0; i <= bounds->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(std::chrono::nanoseconds d) {
  const int64_t ns = std::max<int64_t>(0, d.count());
  size_t i = static_cast<size_t>(std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), ns) -
                                 bounds_ns_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Read() const {
  HistogramSnapshot h;
  h.bounds = *bounds_;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_->size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    h.bucket_counts.push_back(cumulative);
  }
  h.count = cumulative + buckets_[bounds_->size()].load(std::memory_order_relaxed);
  h.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return h;
}

void MethodSeries::Handled(StatusCode code) {
  size_t i = static_cast<size_t>(code);
  if (i >= handled.size()) i = static_cast<size_t>(StatusCode::kUnknown);
  handled[i].fetch_add(1, std::memory_order_relaxed);
}

MethodMetricsSnapshot MethodSeries::Read() const {
  MethodMetricsSnapshot m;
  m.service = service;
  m.method = method;
  m.type = type;
  m.started = started.load(std::memory_order_relaxed);
  for (size_t i = 0; i < handled.size(); ++i) {
    m.handled[i] = handled[i].load(std::memory_order_relaxed);
  }
  m.msg_received = msg_received.load(std::memory_order_relaxed);
  m.msg_sent = msg_sent.load(std::memory_order_relaxed);
  m.handling_seconds = handling.Read();
  m.unroutable = unroutable.load(std::memory_order_relaxed);
  m.redelivered = redelivered.load(std::memory_order_relaxed);
  return m;
}

std::pair<std::string, std::string> SplitRoutingKey(std::string_view key) {
  // "/" package "/" service "/" method; the package may hold dots, never slashes.
  if (key.size() > 1 && key[0] == '/') {
    size_t a = key.find('/', 1);
    size_t b = a == std::string_view::npos ? a : key.find('/', a + 1);
    if (b != std::string_view::npos && key.find('/', b + 1) == std::string_view::npos) {
      std::string service(key.substr(1, a - 1));
      service += '.';
      service += key.substr(a + 1, b - a - 1);
      return {std::move(service), std::string(key.substr(b + 1))};
    }
  }
  return {std::string(), std::string(key)};
}

MetricsRegistry::MetricsRegistry(std::vector<double> bounds)
    : bounds_(std::move(bounds)), publish_confirm(&bounds_) {}

MethodSeries& MetricsRegistry::Series(Side side, std::string_view routing_key,
                                      std::string_view type) {
  Map& map = side == Side::kClient ? client_ : server_;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = map.find(routing_key);
    if (it != map.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = map.find(routing_key);
  if (it != map.end()) return *it->second;
  auto [service, method] = SplitRoutingKey(routing_key);
  auto series = std::make_unique<MethodSeries>(std::move(service), std::move(method),
                                               std::string(type), &bounds_);
  MethodSeries& out = *series;
  map.emplace(std::string(routing_key), std::move(series));
  return out;
}

MetricsSnapshot MetricsRegistry::Read() const {
  MetricsSnapshot s;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [key, series] : client_) s.client.push_back(series->Read());
    for (const auto& [key, series] : server_) s.server.push_back(series->Read());
  }
  s.connection_reconnects = reconnects.load(std::memory_order_relaxed);
  s.publish_confirm_seconds = publish_confirm.Read();
  return s;
}

}  // namespace brokrpc::internal
