// Metrics: per-method call counters and latency histograms for clients and servers, named as
// go-grpc-prometheus names them (brokrpc_ instead of grpc_), plus broker-side figures; recorded
// by interceptors and middlewares, read as a snapshot or as Prometheus text.
#ifndef BROKRPC_METRICS_H_
#define BROKRPC_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "brokrpc/interceptor.h"
#include "brokrpc/status.h"

namespace brokrpc {

class Broker;
namespace internal {
class MetricsRegistry;
}

// A histogram as read: `bucket_counts[i]` calls took at most `bounds[i]` seconds (cumulative,
// as Prometheus buckets are); `count` includes the calls above the last bound (+Inf). A value
// type; thread-compatible.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> bucket_counts;
  uint64_t count = 0;
  double sum_seconds = 0;
};

// The figures of one method on one side (client or server), as read. A value type;
// thread-compatible.
struct MethodMetricsSnapshot {
  std::string service;  // "pkg.Service" (from the routing key "/pkg/Service/Method")
  std::string method;   // "Method"
  // "unary", "fire_and_forget", "server_stream", "client_stream" or "bidi_stream".
  std::string type;
  uint64_t started = 0;
  // Calls ended, by google.rpc.Code (index = code number).
  std::array<uint64_t, 17> handled{};
  uint64_t msg_received = 0;
  uint64_t msg_sent = 0;
  HistogramSnapshot handling_seconds;
  uint64_t unroutable = 0;   // client: requests the broker returned (nobody consumes the queue)
  uint64_t redelivered = 0;  // server: requests delivered again (redelivered flag)

  uint64_t handled_total() const;
};

// Everything a Metrics holds, at one moment (each counter read atomically, not all together).
// A value type; thread-compatible.
struct MetricsSnapshot {
  std::vector<MethodMetricsSnapshot> server;
  std::vector<MethodMetricsSnapshot> client;
  uint64_t connection_reconnects = 0;
  HistogramSnapshot publish_confirm_seconds;

  // The method's figures on that side, or nullptr.
  const MethodMetricsSnapshot* FindServer(std::string_view service, std::string_view method) const;
  const MethodMetricsSnapshot* FindClient(std::string_view service, std::string_view method) const;
};

// The metrics registry of a process (or of one component): hand its interceptors to the
// channels and servers to measure, WatchConnection() the brokers. A method's series are made on its
// first call; from then on recording allocates nothing (atomics behind a shared lock). Thread-safe;
// must outlive what it was handed to (the interceptors keep the registry alive themselves).
//
//   auto metrics = std::make_shared<brokrpc::Metrics>();
//   brokrpc::ServerOptions so{.interceptors = {metrics->server_interceptor()}};
//   brokrpc::ChannelOptions co{.interceptors = {metrics->client_interceptor()}};
//   metrics->WritePrometheus(std::cout);
class Metrics {
 public:
  // `latency_buckets`: histogram upper bounds in seconds, ascending (default: 0.0005 .. 10).
  explicit Metrics(std::vector<double> latency_buckets = DefaultLatencyBuckets());
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  static std::vector<double> DefaultLatencyBuckets();

  // brokrpc_client_*: put it first in ChannelOptions::interceptors to time the whole call.
  std::shared_ptr<ClientCallObserver> client_interceptor();
  // brokrpc_server_*: put it first in ServerOptions::interceptors.
  std::shared_ptr<ServerCallObserver> server_interceptor();
  // Until this Metrics is destroyed, counts the reconnects of `broker`'s connection
  // (brokrpc_connection_reconnects_total) and times every publish on it that waits for a
  // broker confirm, from written to confirmed (brokrpc_publish_confirm_seconds): RPC requests,
  // fire-and-forget messages, stream messages and the messaging API's publishes. Replies are
  // not confirmed (see docs/wire-protocol.md), so not timed.
  void WatchConnection(Broker& broker);

  MetricsSnapshot Snapshot() const;
  // The Prometheus text exposition format (version 0.0.4).
  void WritePrometheus(std::ostream& out) const;
  std::string PrometheusText() const;
  // Writes the exposition to `path` atomically (a temporary file renamed over it), as a
  // node-exporter textfile collector wants it.
  Status WritePrometheusFile(const std::string& path) const;

 private:
  std::shared_ptr<internal::MetricsRegistry> registry_;
  std::mutex watched_mu_;
  std::vector<std::pair<std::weak_ptr<Broker>, uint64_t>> watched_;  // watched_mu_
};

}  // namespace brokrpc

#endif  // BROKRPC_METRICS_H_
