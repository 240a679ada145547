#include "quorum_compare.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "bench.brokrpc.pb.h"
#include "brokrpc/brokrpc.h"
#include "brokrpc/impl/codegen.h"
#include "in_flight.h"

namespace bench {
namespace {

using brokrpc::bench::PingReply;
using brokrpc::bench::PingRequest;

// Bench.Ping alone, on its own exchange, its queue classic (as in bench.proto, but durable and
// not auto-delete, as a quorum queue must be) or quorum. Owns the names the spec views.
struct PingSpec {
  PingSpec(bool quorum)
      : exchange(quorum ? "brokrpc-bench-quorum" : "brokrpc-bench-classic"),
        queue(exchange + "-ping") {
    spec = brokrpc::bench::Bench::spec();
    spec.exchange.name = exchange;
    spec.methods.resize(1);  // Ping
    spec.methods[0].queue = brokrpc::QueueOptions{
        .name = queue, .durable = true, .exclusive = false, .auto_delete = false};
    if (quorum) spec.methods[0].queue.arguments = brokrpc::FieldTable{{"x-queue-type", "quorum"}};
  }
  std::string exchange, queue;
  brokrpc::ServiceSpec spec;
};

// Echoes the payload.
class PingService : public brokrpc::Service {
 public:
  explicit PingService(const brokrpc::ServiceSpec& spec) : Service(spec) {
    AddUnaryHandler<PingRequest, PingReply>(
        0, [](brokrpc::ServerContext*, const PingRequest* req, PingReply* reply) {
          reply->set_payload(req->payload());
          return brokrpc::OkStatus();
        });
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median latency of `calls` sequential calls, in microseconds.
double SequentialP50(brokrpc::Channel* channel, const PingSpec& s, int calls,
                     const PingRequest& req) {
  std::vector<double> us;
  for (int i = 0; i < calls; ++i) {
    brokrpc::ClientContext ctx;
    PingReply reply;
    auto start = std::chrono::steady_clock::now();
    brokrpc::Status st =
        brokrpc::internal::BlockingUnaryCall(channel, s.spec, 0, &ctx, req, &reply);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!st.ok()) {
      std::fprintf(stderr, "call failed: %s\n", st.ToString().c_str());
      std::exit(1);
    }
  }
  return Median(us);
}

// Calls per second with `in_flight` calls at a time.
double Throughput(brokrpc::Channel* channel, const PingSpec& s, int calls, int in_flight,
                  const PingRequest& req) {
  return InFlightThroughput(calls, in_flight, [&](brokrpc::ClientContext* ctx, CallEnded ended) {
    brokrpc::internal::CallbackUnaryCall<PingRequest, PingReply>(
        channel, s.spec, 0, ctx, req, [ended](brokrpc::StatusOr<PingReply> r) { ended(r.ok()); });
  });
}

}  // namespace

int RunQuorumCompare(const std::string& url, int calls, int throughput_calls, int rounds,
                     size_t payload) {
  auto server_broker = brokrpc::Broker::Create(url);
  auto client_broker = brokrpc::Broker::Create(url);
  if (!server_broker.ok() || !client_broker.ok() || !(*server_broker)->Connect().ok() ||
      !(*client_broker)->Connect().ok()) {
    std::fprintf(stderr, "cannot connect\n");
    return 1;
  }
  PingSpec specs[2] = {PingSpec(false), PingSpec(true)};  // classic, quorum
  PingService classic(specs[0].spec), quorum(specs[1].spec);
  brokrpc::Server server(*server_broker);
  if (!server.RegisterService(&classic).ok() || !server.RegisterService(&quorum).ok()) return 1;
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto channel = brokrpc::CreateChannel(*client_broker);
  PingRequest req;
  req.set_payload(std::string(payload, 'x'));
  const int per_round = std::max(1, calls / rounds), tp = std::max(1, throughput_calls / rounds);
  for (auto& s : specs) SequentialP50(channel.get(), s, std::min(200, per_round), req);  // warm-up
  std::vector<double> p50[2], rate[2], p50_ratio, rate_ratio;
  for (int r = 0; r < rounds; ++r) {
    for (int k = 0; k < 2; ++k) {
      int i = (k + r) % 2;  // the order alternates
      p50[i].push_back(SequentialP50(channel.get(), specs[i], per_round, req));
      rate[i].push_back(Throughput(channel.get(), specs[i], tp, 64, req));
    }
    p50_ratio.push_back(p50[1].back() / p50[0].back());
    rate_ratio.push_back(rate[1].back() / rate[0].back());
  }
  server.Shutdown(std::chrono::seconds(5)).IgnoreError();
  (*client_broker)->DeleteQueue(specs[0].queue).IgnoreError();
  (*client_broker)->DeleteQueue(specs[1].queue).IgnoreError();
  std::printf(
      "brokrpc bench, classic vs quorum server queue: %s, %d rounds, %d sequential and %d "
      "calls 64 in flight per round and queue type, %zu B payload\n",
      (*client_broker)->redacted_url().c_str(), rounds, per_round, tp, payload);
  std::printf("| %-22s | %9s | %9s | %15s |\n", "figure (median/rounds)", "classic", "quorum",
              "quorum/classic");
  std::printf("| %-22s | %9.1f | %9.1f | %15.3f |\n", "latency p50 (us)", Median(p50[0]),
              Median(p50[1]), Median(p50_ratio));
  std::printf("| %-22s | %9.1f | %9.1f | %15.3f |\n", "calls/s, 64 in flight", Median(rate[0]),
              Median(rate[1]), Median(rate_ratio));
  return 0;
}

}  // namespace bench
