// brokrpc_bench: three stacks doing the same unary ping-pong on one broker, in one run:
//   raw           rabbitmq-c, the plain baseline (no confirms, reply queue consumed without acks);
//   raw-contract  rabbitmq-c doing what brokrpc's wire contract does (RawContract: confirms,
//                 mandatory, deadline, ids, ...), so the runtime's cost and the contract's cost
//                 show apart;
//   brokrpc       the runtime through a generated stub.
// Prints a table with the ratios brokrpc / raw and brokrpc / raw-contract for each figure.
//
//   brokrpc_bench [--url amqp://guest:guest@127.0.0.1:5672/] [--calls 25000]
//                 [--throughput-calls 25000] [--payload 64] [--rounds 5]
//                 [--contract-request-confirms 1] [--contract-mandatory 1]
//                 [--contract-deadline 1] [--contract-ids 1] [--contract-reply-confirms 0]
//                 [--contract-reply-queue-acks 0] [--inline-handlers 0]
//   brokrpc_bench --metrics-compare 1 [--url ..] [--calls N] [--throughput-calls N] [--rounds R]
//                 brokrpc alone, with Metrics interceptors on client and server vs without, in
//                 one run (rounds alternate which goes first); prints the ratios on / off.
//   brokrpc_bench --quorum-compare 1 --url <cluster URL> [--calls N] [--throughput-calls N]
//                 [--rounds N]: only brokrpc's unary call, on a classic vs a quorum server
//                 queue (quorum_compare.h)
//
// Options take their value as the next argument or after '=' (--rounds=3). --calls and
// --throughput-calls are totals, split evenly over the rounds. The streaming figure (one server
// stream of --stream-messages 100000 messages vs raw publish -> consume of as many) is measured
// in up to 3 rounds.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench.brokrpc.pb.h"
#include "brokrpc/brokrpc.h"
#include "cpu_cost.h"
#include "heap_counter.h"
#include "in_flight.h"
#include "quorum_compare.h"
#include "raw_contract.h"
#include "raw_flood.h"
#include "raw_rpc.h"
#include "transport/broker_url.h"

namespace {

using namespace std::chrono_literals;

struct Options {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  int calls = 25000;
  int throughput_calls = 25000;
  size_t payload = 64;
  int rounds = 5;
  int stream_messages = 100000;
  bench::RawContract contract;   // the defaults: brokrpc's contract
  bool inline_handlers = false;  // brokrpc's server runs handlers on its I/O thread
  bool metrics_compare = false;  // only brokrpc, metrics on vs off
  bool quorum_compare = false;   // only the classic vs quorum server queue comparison
};

Options Parse(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("BROKRPC_TEST_URL")) o.url = env;
  struct Flag {
    const char* name;
    bool* value;
  } flags[] = {
      {"--contract-request-confirms", &o.contract.request_confirms},
      {"--contract-mandatory", &o.contract.mandatory},
      {"--contract-deadline", &o.contract.deadline},
      {"--contract-ids", &o.contract.ids},
      {"--contract-reply-confirms", &o.contract.reply_confirms},
      {"--contract-reply-queue-acks", &o.contract.reply_queue_acks},
      {"--inline-handlers", &o.inline_handlers},
      {"--metrics-compare", &o.metrics_compare},
      {"--quorum-compare", &o.quorum_compare},
  };
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    std::string v;
    if (size_t eq = k.find('='); eq != std::string::npos) {
      v = k.substr(eq + 1);
      k.resize(eq);
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      std::fprintf(stderr, "option %s needs a value\n", k.c_str());
      std::exit(2);
    }
    const int n = std::atoi(v.c_str());
    bool* flag = nullptr;
    for (const Flag& f : flags) {
      if (k == f.name) flag = f.value;
    }
    if (flag != nullptr) {
      if (v != "0" && v != "1") {
        std::fprintf(stderr, "%s takes 0 or 1\n", k.c_str());
        std::exit(2);
      }
      *flag = v == "1";
    } else if (k == "--url") {
      o.url = v;
    } else if (k == "--calls") {
      o.calls = n;
    } else if (k == "--throughput-calls") {
      o.throughput_calls = n;
    } else if (k == "--stream-messages") {
      o.stream_messages = std::max(1, n);
    } else if (k == "--rounds") {
      o.rounds = std::max(1, n);
    } else if (k == "--payload") {
      o.payload = static_cast<size_t>(std::max(0, n));
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * (v.size() - 1))];
}

class PingService final : public brokrpc::bench::Bench::Service {
 public:
  brokrpc::Status Ping(brokrpc::ServerContext*, const brokrpc::bench::PingRequest* request,
                       brokrpc::bench::PingReply* reply) override {
    reply->set_payload(request->payload());
    return brokrpc::OkStatus();
  }
  brokrpc::Status Flood(brokrpc::ServerContext*, const brokrpc::bench::FloodRequest* request,
                        brokrpc::ServerWriter<brokrpc::bench::PingReply>* writer) override {
    brokrpc::bench::PingReply reply;
    reply.set_payload(std::string(static_cast<size_t>(request->payload_size()), 'x'));
    for (int i = 0; i < request->count(); ++i) {
      if (!writer->Write(reply)) return brokrpc::CancelledError("the reader left");
    }
    return brokrpc::OkStatus();
  }
};

// Messages per second of one server stream of `count` messages, read to the end.
double BrokrpcStreamRate(brokrpc::bench::Bench::Stub& stub, int count, size_t payload) {
  brokrpc::ClientContext ctx;
  brokrpc::bench::FloodRequest request;
  request.set_count(count);
  request.set_payload_size(static_cast<int>(payload));
  auto start = std::chrono::steady_clock::now();
  auto reader = stub.Flood(&ctx, request);
  brokrpc::bench::PingReply reply;
  int got = 0;
  while (reader->Read(&reply)) ++got;
  brokrpc::Status s = reader->Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!s.ok() || got != count) {
    std::fprintf(stderr, "stream failed after %d messages: %s\n", got, s.ToString().c_str());
    std::exit(1);
  }
  return count / seconds;
}

// Sequential calls; their latencies in microseconds unless `record` is false (then nothing is
// allocated per call by the measurement itself).
std::vector<double> BrokrpcSequential(brokrpc::bench::Bench::Stub& stub, int calls,
                                      const std::string& payload, bool record = true) {
  std::vector<double> us;
  if (record) us.reserve(calls);
  brokrpc::bench::PingRequest req;
  req.set_payload(payload);
  brokrpc::bench::PingReply reply;
  for (int i = 0; i < calls; ++i) {
    brokrpc::ClientContext ctx;
    auto start = std::chrono::steady_clock::now();
    brokrpc::Status s = stub.Ping(&ctx, req, &reply);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!s.ok()) {
      std::fprintf(stderr, "call failed: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  return us;
}

double BrokrpcThroughput(brokrpc::bench::Bench::Stub& stub, int calls, int in_flight,
                         const std::string& payload) {
  brokrpc::bench::PingRequest req;
  req.set_payload(payload);
  return bench::InFlightThroughput(
      calls, in_flight, [&](brokrpc::ClientContext* ctx, bench::CallEnded ended) {
        stub.AsyncPing(ctx, req,
                       [ended](brokrpc::StatusOr<brokrpc::bench::PingReply> r) { ended(r.ok()); });
      });
}

size_t HeapInUse() { return static_cast<size_t>(bench::LiveHeapBytes()); }

// Runs the server observer it wraps only while `on` (the metrics off half of a round still
// pays for the observer hooks' virtual calls). `on` is read once per call, at its start.
class Switched : public brokrpc::ServerCallObserver {
 public:
  Switched(std::shared_ptr<brokrpc::ServerCallObserver> inner, const std::atomic<bool>* on)
      : inner_(std::move(inner)), on_(on) {}
  void OnStart(brokrpc::ServerCall& call) override {
    // A call observed from its start is observed to its end: mark it in `started`.
    if (on_->load(std::memory_order_relaxed)) {
      inner_->OnStart(call);
    } else {
      call.started = {};
    }
  }
  void OnDone(brokrpc::ServerCall& call, const brokrpc::Status& status) override {
    if (call.started != std::chrono::steady_clock::time_point{}) inner_->OnDone(call, status);
  }

 private:
  std::shared_ptr<brokrpc::ServerCallObserver> inner_;
  const std::atomic<bool>* on_;
};

// --metrics-compare: brokrpc with Metrics (client and server interceptors) vs without, on one
// server and two channels (one with the client interceptor), in alternating rounds.
int RunMetricsCompare(const Options& opt, const std::string& payload) {
  auto server_broker = brokrpc::Broker::Create(opt.url).value();
  auto client_broker = brokrpc::Broker::Create(opt.url).value();
  if (!server_broker->Connect().ok() || !client_broker->Connect().ok()) {
    std::fprintf(stderr, "cannot connect\n");
    return 1;
  }
  auto metrics = std::make_shared<brokrpc::Metrics>();
  std::atomic<bool> server_metrics{false};
  PingService service;
  brokrpc::Server server(
      server_broker, brokrpc::ServerOptions{.interceptors = {std::make_shared<Switched>(
                                                metrics->server_interceptor(), &server_metrics)},
                                            .inline_handlers = opt.inline_handlers});
  if (auto s = server.RegisterService(&service); !s.ok()) return 1;
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto off = brokrpc::bench::Bench::NewStub(brokrpc::CreateChannel(client_broker));
  auto on = brokrpc::bench::Bench::NewStub(brokrpc::CreateChannel(
      client_broker, brokrpc::ChannelOptions{.interceptors = {metrics->client_interceptor()}}));
  const int per_round = std::max(1, opt.calls / opt.rounds);
  const int tp_calls = std::max(1, opt.throughput_calls / opt.rounds);
  const int warmup = std::min(2000, opt.calls / 10);
  BrokrpcSequential(*off, warmup, payload, false);
  server_metrics = true;
  BrokrpcSequential(*on, warmup, payload, false);
  constexpr int kFigures = 3;  // sequential calls/s, calls/s 8 and 64 in flight
  const char* names[kFigures] = {"calls/s, sequential", "calls/s, 8 in flight",
                                 "calls/s, 64 in flight"};
  std::vector<double> v[2][kFigures], ratio[kFigures];
  for (int r = 0; r < opt.rounds; ++r) {
    double values[2][kFigures];
    for (int k = 0; k < 2; ++k) {
      const bool with = (k + r) % 2 == 1;
      server_metrics = with;
      auto& stub = with ? *on : *off;
      auto start = std::chrono::steady_clock::now();
      BrokrpcSequential(stub, per_round, payload, false);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      values[with][0] = per_round / seconds;
      values[with][1] = BrokrpcThroughput(stub, tp_calls, 8, payload);
      values[with][2] = BrokrpcThroughput(stub, tp_calls, 64, payload);
    }
    for (int f = 0; f < kFigures; ++f) {
      for (int w = 0; w < 2; ++w) v[w][f].push_back(values[w][f]);
      ratio[f].push_back(values[1][f] / values[0][f]);
    }
  }
  server.Shutdown(5s).IgnoreError();
  std::printf(
      "\nmetrics on vs off (brokrpc only, %d rounds, %d sequential and %d throughput "
      "calls per round)\n",
      opt.rounds, per_round, tp_calls);
  std::printf("| %-22s | %11s | %11s | %6s | %-7s |\n", "figure (median/rounds)", "off", "on",
              "ratio", "target");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(13, '-').c_str(),
              std::string(13, '-').c_str(), std::string(8, '-').c_str(),
              std::string(9, '-').c_str());
  for (int f = 0; f < kFigures; ++f) {
    std::printf("| %-22s | %11.1f | %11.1f | %6.3f | %-7s |\n", names[f], Percentile(v[0][f], 0.5),
                Percentile(v[1][f], 0.5), Percentile(ratio[f], 0.5), ">= 0.97");
  }
  std::printf("ratio = on / off, the median of the per-round ratios.\n");
  brokrpc::MetricsSnapshot snap = metrics->Snapshot();
  if (const auto* m = snap.FindClient("brokrpc.bench.Bench", "Ping")) {
    std::printf("recorded: client Ping started %llu, handled OK %llu\n",
                static_cast<unsigned long long>(m->started),
                static_cast<unsigned long long>(m->handled[0]));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = Parse(argc, argv);
  if (opt.quorum_compare) {
    return bench::RunQuorumCompare(opt.url, opt.calls, opt.throughput_calls, opt.rounds,
                                   opt.payload);
  }
  auto parsed = brokrpc::internal::ParseBrokerUrl(opt.url);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().ToString().c_str());
    return 2;
  }
  const std::string host = parsed->hosts[0].host;
  const int port = parsed->hosts[0].port;
  const std::string payload(opt.payload, 'x');
  if (opt.metrics_compare) return RunMetricsCompare(opt, payload);
  // raw-contract sends what brokrpc sends: the serialized PingRequest (the server echoes it,
  // which is byte for byte the serialized PingReply).
  std::string wire_body;
  {
    brokrpc::bench::PingRequest req;
    req.set_payload(payload);
    wire_body = req.SerializeAsString();
  }
  const int warmup = std::min(2000, opt.calls / 10);
  std::printf(
      "brokrpc bench: %s, %d sequential calls, %d calls per throughput run, %zu B payload\n",
      parsed->Redacted().c_str(), opt.calls, opt.throughput_calls, opt.payload);
  std::printf("raw-contract: %s\n", opt.contract.Describe().c_str());
  std::printf("brokrpc server: handlers on %s\n",
              opt.inline_handlers ? "the I/O thread (inline_handlers)" : "the handler pool");

  // All three stacks stay up for the whole run; each figure is measured in rounds that run the
  // three one after the other, the order rotated every round (none is always first) so that
  // drift in the machine's load hits all of them; a reported ratio is the median of the
  // per-round ratios.
  bench::RawServer raw_server(host, port, "raw-bench", "raw-bench-ping");
  bench::RawClient raw(host, port, "raw-bench", "raw-bench-ping");
  bench::RawServer contract_server(host, port, "raw-contract-bench", "raw-contract-bench-ping",
                                   opt.contract);
  bench::RawClient contract(host, port, "raw-contract-bench", "raw-contract-bench-ping",
                            opt.contract);
  auto server_broker = brokrpc::Broker::Create(opt.url).value();
  auto client_broker = brokrpc::Broker::Create(opt.url).value();
  if (!server_broker->Connect().ok() || !client_broker->Connect().ok()) {
    std::fprintf(stderr, "cannot connect to %s\n", parsed->Redacted().c_str());
    return 1;
  }
  PingService service;
  brokrpc::Server server(server_broker,
                         brokrpc::ServerOptions{.inline_handlers = opt.inline_handlers});
  if (auto s = server.RegisterService(&service); !s.ok()) return 1;
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto stub = brokrpc::bench::Bench::NewStub(brokrpc::CreateChannel(client_broker));
  raw.Sequential(warmup, payload);
  contract.Sequential(warmup, wire_body);
  BrokrpcSequential(*stub, warmup, payload);

  constexpr int kStacks = 3;  // indexes: raw, raw-contract, brokrpc
  constexpr int kRaw = 0, kContract = 1, kOurs = 2;
  const char* stack_names[kStacks] = {"raw", "raw-contract", "brokrpc"};
  const int in_flight[3] = {1, 8, 64};
  constexpr int kFigures = 5;  // p50, p99, tp1, tp8, tp64
  std::vector<double> v[kStacks][kFigures], ratio_raw[kFigures], ratio_contract[kFigures];
  bench::CpuCost cpu[kStacks][3];
  size_t heap_before = 0, heap_after = 0;
  const int per_round = std::max(1, opt.calls / opt.rounds);
  const int tp_calls = std::max(1, opt.throughput_calls / opt.rounds);
  for (int r = 0; r < opt.rounds; ++r) {
    int order[kStacks];
    for (int k = 0; k < kStacks; ++k) order[k] = (k + r) % kStacks;
    auto sequential = [&](int stack) -> std::vector<double> {
      if (stack == kRaw) return raw.Sequential(per_round, payload);
      if (stack == kContract) return contract.Sequential(per_round, wire_body);
      std::vector<double> lat = BrokrpcSequential(*stub, per_round, payload);
      if (r == opt.rounds - 1) {
        // Last round: heap in use between the middle and the end (steady state).
        heap_before = HeapInUse();
        BrokrpcSequential(*stub, per_round, payload, /*record=*/false);
        heap_after = HeapInUse();
      }
      return lat;
    };
    auto throughput = [&](int stack, int n) -> double {
      if (stack == kRaw) return raw.Throughput(tp_calls, n, payload);
      if (stack == kContract) return contract.Throughput(tp_calls, n, wire_body);
      return BrokrpcThroughput(*stub, tp_calls, n, payload);
    };
    double values[kStacks][kFigures];
    for (int stack : order) {
      std::vector<double> lat = sequential(stack);
      values[stack][0] = Percentile(lat, 0.50);
      values[stack][1] = Percentile(lat, 0.99);
    }
    for (int i = 0; i < 3; ++i) {
      for (int stack : order) {
        values[stack][2 + i] = bench::Measured(tp_calls, &cpu[stack][i],
                                               [&] { return throughput(stack, in_flight[i]); });
      }
    }
    for (int f = 0; f < kFigures; ++f) {
      for (int stack = 0; stack < kStacks; ++stack) v[stack][f].push_back(values[stack][f]);
      ratio_raw[f].push_back(values[kOurs][f] / values[kRaw][f]);
      ratio_contract[f].push_back(values[kOurs][f] / values[kContract][f]);
    }
  }
  // Streaming: one server stream of stream_messages small messages per round, against the raw
  // publish -> consume rate of as many messages.
  std::vector<double> stream_raw, stream_ours, stream_ratio;
  for (int r = 0; r < std::min(3, opt.rounds); ++r) {
    double raw_rate = 0, our_rate = 0;
    auto run_raw = [&] {
      raw_rate = bench::RawPublishConsumeRate(host, port, opt.stream_messages, payload);
    };
    auto run_ours = [&] { our_rate = BrokrpcStreamRate(*stub, opt.stream_messages, opt.payload); };
    if (r % 2 == 0) {
      run_raw();
      run_ours();
    } else {
      run_ours();
      run_raw();
    }
    stream_raw.push_back(raw_rate);
    stream_ours.push_back(our_rate);
    stream_ratio.push_back(our_rate / raw_rate);
  }
  server.Shutdown(5s).IgnoreError();

  // The table fits 100 columns.
  std::printf("\n| %-22s | %9s | %12s | %9s | %6s | %11s | %-7s |\n", "figure (median/rounds)",
              "raw", "raw-contract", "brokrpc", "ratio", "vs contract", "target");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(),
              std::string(11, '-').c_str(), std::string(14, '-').c_str(),
              std::string(11, '-').c_str(), std::string(8, '-').c_str(),
              std::string(13, '-').c_str(), std::string(9, '-').c_str());
  const char* names[kFigures] = {"latency p50 (us)", "latency p99 (us)", "calls/s, 1 in flight",
                                 "calls/s, 8 in flight", "calls/s, 64 in flight"};
  const char* targets[kFigures] = {"<= 1.10", "-", "-", "-", ">= 0.90"};
  for (int f = 0; f < kFigures; ++f) {
    std::printf("| %-22s | %9.1f | %12.1f | %9.1f | %6.3f | %11.3f | %-7s |\n", names[f],
                Percentile(v[kRaw][f], 0.5), Percentile(v[kContract][f], 0.5),
                Percentile(v[kOurs][f], 0.5), Percentile(ratio_raw[f], 0.5),
                Percentile(ratio_contract[f], 0.5), targets[f]);
  }
  const char* stream_name = "server stream msgs/s";
  std::printf("| %-22s | %9.1f | %12s | %9.1f | %6.3f | %11s | %-7s |\n", stream_name,
              Percentile(stream_raw, 0.5), "-", Percentile(stream_ours, 0.5),
              Percentile(stream_ratio, 0.5), "-", ">= 0.80");
  std::printf(
      "ratio = brokrpc / raw, vs contract = brokrpc / raw-contract (medians of per-round ratios;\n"
      "for latency lower is better, for calls/s higher); the stream figure is against raw\n"
      "publish -> consume.\n");

  auto print_ratios = [&](const char* title, std::vector<double>* ratios, bool with_stream) {
    std::printf("\nper-round ratios %s:", title);
    for (int f = 0; f < kFigures; ++f) {
      std::printf("\n  %-22s", names[f]);
      for (double x : ratios[f]) std::printf(" %.3f", x);
    }
    if (with_stream) {
      std::printf("\n  %-22s", stream_name);
      for (double x : stream_ratio) std::printf(" %.3f", x);
    }
    std::printf("\n");
  };
  print_ratios("brokrpc / raw", ratio_raw, true);
  print_ratios("brokrpc / raw-contract", ratio_contract, false);

  std::printf(
      "\nCPU per call in the last round (us): bench process (client + server) / broker\n"
      "(broker: -1 unless BROKRPC_BROKER_PID is set)\n");
  for (int i = 0; i < 3; ++i) {
    for (int stack = 0; stack < kStacks; ++stack) {
      if (stack == 0) {
        std::printf("  %2d in flight  ", in_flight[i]);
      } else {
        std::printf("  %-14s", "");
      }
      std::printf("%-13s %7.1f / %7.1f\n", stack_names[stack], cpu[stack][i].self_us,
                  cpu[stack][i].broker_us);
    }
  }
  long long growth = static_cast<long long>(heap_after) - static_cast<long long>(heap_before);
  std::printf(
      "\nheap held by live operator-new allocations around the last %d sequential calls (steady\n"
      "state): before %zu B, after %zu B, growth %lld B (%.3f B per call)\n",
      per_round, heap_before, heap_after, growth, static_cast<double>(growth) / per_round);
  return 0;
}
