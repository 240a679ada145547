// Metrics: the interceptors and middleware that record into the registry, and its readers.
#include "brokrpc/metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "brokrpc/broker.h"
#include "messaging/broker_core.h"
#include "observability/metrics_registry.h"
#include "observability/prometheus_text.h"

namespace brokrpc {
namespace {

using internal::MetricsRegistry;
using Clock = std::chrono::steady_clock;

std::string_view TypeOf(MethodKind kind) {
  switch (kind) {
    case MethodKind::kUnary:
      return "unary";
    case MethodKind::kFireAndForget:
      return "fire_and_forget";
    case MethodKind::kServerStreaming:
      return "server_stream";
    case MethodKind::kClientStreaming:
      return "client_stream";
    default:
      return "bidi_stream";
  }
}

bool IsStream(MethodKind kind) {
  return kind != MethodKind::kUnary && kind != MethodKind::kFireAndForget;
}

void CountMessage(internal::MethodSeries& s, StreamMessageDirection direction) {
  (direction == StreamMessageDirection::kSent ? s.msg_sent : s.msg_received)
      .fetch_add(1, std::memory_order_relaxed);
}

// Records brokrpc_client_*: one call (all its attempts) from before the first attempt to its
// outcome; a stream from before its opening to its final status, and each of its messages.
class ClientMetricsInterceptor : public ClientCallObserver {
 public:
  explicit ClientMetricsInterceptor(std::shared_ptr<MetricsRegistry> registry)
      : registry_(std::move(registry)) {}

  Status OnStart(ClientCall& call) override {
    internal::MethodSeries& s = Series(call);
    s.started.fetch_add(1, std::memory_order_relaxed);
    if (!IsStream(call.method->kind)) s.msg_sent.fetch_add(1, std::memory_order_relaxed);
    return OkStatus();
  }

  void OnDone(ClientCall& call, const Status& status) override {
    internal::MethodSeries& s = Series(call);
    s.handling.Observe(Clock::now() - call.started);
    s.Handled(status.code());
    if (call.unroutable) s.unroutable.fetch_add(1, std::memory_order_relaxed);
    if (status.ok() && call.method->kind == MethodKind::kUnary) {
      s.msg_received.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void OnStreamMessage(ClientCall& call, StreamMessageDirection direction) override {
    CountMessage(Series(call), direction);
  }

 private:
  internal::MethodSeries& Series(const ClientCall& call) {
    return registry_->Series(MetricsRegistry::Side::kClient, call.method->routing_key,
                             TypeOf(call.method->kind));
  }

  std::shared_ptr<MetricsRegistry> registry_;
};

// Records brokrpc_server_*: one request from the server's observers to the status its client
// is told; a stream from its opening to its final status, and each of its messages.
class ServerMetricsInterceptor : public ServerCallObserver {
 public:
  explicit ServerMetricsInterceptor(std::shared_ptr<MetricsRegistry> registry)
      : registry_(std::move(registry)) {}

  void OnStart(ServerCall& call) override {
    internal::MethodSeries& s = Series(call);
    s.started.fetch_add(1, std::memory_order_relaxed);
    if (!IsStream(KindOf(call))) s.msg_received.fetch_add(1, std::memory_order_relaxed);
    if (call.request->delivery && call.request->delivery->redelivered) {
      s.redelivered.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void OnDone(ServerCall& call, const Status& status) override {
    internal::MethodSeries& s = Series(call);
    s.handling.Observe(Clock::now() - call.started);
    s.Handled(status.code());
    if (status.ok() && KindOf(call) == MethodKind::kUnary) {
      s.msg_sent.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void OnStreamMessage(ServerCall& call, StreamMessageDirection direction) override {
    CountMessage(Series(call), direction);
  }

 private:
  // Outside a Server (a plain consumer middleware) the method is unknown: a request with a
  // reply_to counts as unary.
  static MethodKind KindOf(const ServerCall& call) {
    if (call.method != nullptr) return call.method->kind;
    return call.request->properties.reply_to ? MethodKind::kUnary : MethodKind::kFireAndForget;
  }

  internal::MethodSeries& Series(const ServerCall& call) {
    std::string_view key =
        call.method != nullptr ? call.method->routing_key : call.request->routing_key;
    return registry_->Series(MetricsRegistry::Side::kServer, key, TypeOf(KindOf(call)));
  }

  std::shared_ptr<MetricsRegistry> registry_;
};

const MethodMetricsSnapshot* FindIn(const std::vector<MethodMetricsSnapshot>& v,
                                    std::string_view service, std::string_view method) {
  for (const auto& m : v) {
    if (m.service == service && m.method == method) return &m;
  }
  return nullptr;
}

}  // namespace

uint64_t MethodMetricsSnapshot::handled_total() const {
  uint64_t n = 0;
  for (uint64_t h : handled) n += h;
  return n;
}

const MethodMetricsSnapshot* MetricsSnapshot::FindServer(std::string_view service,
                                                         std::string_view method) const {
  return FindIn(server, service, method);
}

const MethodMetricsSnapshot* MetricsSnapshot::FindClient(std::string_view service,
                                                         std::string_view method) const {
  return FindIn(client, service, method);
}

std::vector<double> Metrics::DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics(std::vector<double> latency_buckets)
    : registry_(std::make_shared<MetricsRegistry>(std::move(latency_buckets))) {}

Metrics::~Metrics() {
  std::lock_guard<std::mutex> lock(watched_mu_);
  for (auto& [weak, id] : watched_) {
    if (auto broker = weak.lock())
      internal::BrokerAccess::Core(*broker).transport().RemoveConnectionListener(id);
  }
}

std::shared_ptr<ClientCallObserver> Metrics::client_interceptor() {
  return std::make_shared<ClientMetricsInterceptor>(registry_);
}

std::shared_ptr<ServerCallObserver> Metrics::server_interceptor() {
  return std::make_shared<ServerMetricsInterceptor>(registry_);
}

void Metrics::WatchConnection(Broker& broker) {
  std::weak_ptr<MetricsRegistry> weak = registry_;
  uint64_t id = internal::BrokerAccess::Core(broker).transport().AddConnectionListener(
      internal::ConnectionListener{.on_restored =
                                       [weak] {
                                         if (auto r = weak.lock())
                                           r->reconnects.fetch_add(1, std::memory_order_relaxed);
                                       },
                                   .on_publish_confirmed =
                                       [weak](std::chrono::nanoseconds latency) {
                                         if (auto r = weak.lock())
                                           r->publish_confirm.Observe(latency);
                                       }});
  std::lock_guard<std::mutex> lock(watched_mu_);
  watched_.emplace_back(broker.weak_from_this(), id);
}

MetricsSnapshot Metrics::Snapshot() const { return registry_->Read(); }

void Metrics::WritePrometheus(std::ostream& out) const {
  internal::WritePrometheusText(registry_->Read(), out);
}

std::string Metrics::PrometheusText() const {
  std::ostringstream out;
  WritePrometheus(out);
  return out.str();
}

Status Metrics::WritePrometheusFile(const std::string& path) const {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return UnavailableError("cannot write " + tmp);
    WritePrometheus(out);
    out.flush();
    if (!out) return UnavailableError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return UnavailableError("cannot rename " + tmp + " to " + path);
  }
  return OkStatus();
}

}  // namespace brokrpc
