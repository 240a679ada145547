// brokrpc_bench: raw rabbitmq-c RPC vs brokrpc unary calls through a generated stub, one broker,
// one run. Prints a table with the ratio brokrpc / raw for each figure.
//
//   brokrpc_bench [--url amqp://guest:guest@127.0.0.1:5672/] [--calls 20000]
//                 [--throughput-calls 20000] [--payload 64] [--rounds 5]
//
// --calls and --throughput-calls are totals, split evenly over the rounds. The streaming figure
// (one server stream of --stream-messages 100000 messages vs raw publish -> consume of as many)
// is measured in up to 3 rounds.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "bench.brokrpc.pb.h"
#include "broker_url.h"
#include "brokrpc/brokrpc.h"
#include "heap_counter.h"
#include "raw_rpc.h"

namespace {

using namespace std::chrono_literals;

struct Options {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  int calls = 25000;
  int throughput_calls = 25000;
  size_t payload = 64;
  int rounds = 5;
  int stream_messages = 100000;
};

Options Parse(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("BROKRPC_TEST_URL")) o.url = env;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--url") {
      o.url = argv[i + 1];
    } else if (k == "--calls") {
      o.calls = std::atoi(argv[i + 1]);
    } else if (k == "--throughput-calls") {
      o.throughput_calls = std::atoi(argv[i + 1]);
    } else if (k == "--stream-messages") {
      o.stream_messages = std::max(1, std::atoi(argv[i + 1]));
    } else if (k == "--rounds") {
      o.rounds = std::max(1, std::atoi(argv[i + 1]));
    } else if (k == "--payload") {
      o.payload = static_cast<size_t>(std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
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
  std::mutex mu;
  std::condition_variable cv;
  int started = 0, finished = 0, failed = 0;
  brokrpc::bench::PingRequest req;
  req.set_payload(payload);
  std::vector<std::unique_ptr<brokrpc::ClientContext>> contexts(calls);
  std::function<void()> start_one;
  start_one = [&] {
    int i;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (started >= calls) return;
      i = started++;
    }
    contexts[i] = std::make_unique<brokrpc::ClientContext>();
    stub.AsyncPing(contexts[i].get(), req, [&](brokrpc::StatusOr<brokrpc::bench::PingReply> r) {
      start_one();  // first: once `finished` reaches `calls`, no callback touches the locals
      std::lock_guard<std::mutex> lock(mu);
      ++finished;
      if (!r.ok()) ++failed;
      cv.notify_one();
    });
  };
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < in_flight; ++i) start_one();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished == calls; });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (failed > 0) std::fprintf(stderr, "%d calls failed\n", failed);
  return calls / seconds;
}

size_t HeapInUse() { return static_cast<size_t>(bench::LiveHeapBytes()); }

// CPU seconds used so far by this process (all threads).
double ProcessCpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds used so far by the broker (pid from $BROKRPC_BROKER_PID), or -1.
double BrokerCpu() {
  const char* pid = std::getenv("BROKRPC_BROKER_PID");
  if (pid == nullptr) return -1;
  std::string path = std::string("/proc/") + pid + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return -1;
  char buf[2048];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return -1;
  unsigned long utime = 0, stime = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
      2) {
    return -1;
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

// CPU per call of this process and of the broker during `run`.
struct CpuCost {
  double self_us = 0;
  double broker_us = -1;
};
template <typename F>
auto Measured(int calls, CpuCost* cost, F&& run) {
  double self0 = ProcessCpu(), broker0 = BrokerCpu();
  auto result = run();
  cost->self_us = (ProcessCpu() - self0) * 1e6 / calls;
  if (broker0 >= 0) cost->broker_us = (BrokerCpu() - broker0) * 1e6 / calls;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = Parse(argc, argv);
  auto parsed = brokrpc::internal::ParseBrokerUrl(opt.url);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().ToString().c_str());
    return 2;
  }
  const std::string host = parsed->hosts[0].host;
  const int port = parsed->hosts[0].port;
  const std::string payload(opt.payload, 'x');
  const int warmup = std::min(2000, opt.calls / 10);
  std::printf(
      "brokrpc bench: %s, %d sequential calls, %d calls per throughput run, %zu B payload\n",
      parsed->Redacted().c_str(), opt.calls, opt.throughput_calls, opt.payload);

  // Both stacks stay up for the whole run; each figure is measured in alternating rounds
  // (raw first in odd rounds, brokrpc first in even ones) so that drift in the machine's load
  // hits both, and the reported ratio is the median of the per-round ratios.
  bench::RawServer raw_server(host, port, "raw-bench", "raw-bench-ping");
  bench::RawClient raw(host, port, "raw-bench", "raw-bench-ping");
  auto server_broker = brokrpc::Broker::Create(opt.url).value();
  auto client_broker = brokrpc::Broker::Create(opt.url).value();
  if (!server_broker->Connect().ok() || !client_broker->Connect().ok()) {
    std::fprintf(stderr, "cannot connect to %s\n", parsed->Redacted().c_str());
    return 1;
  }
  PingService service;
  brokrpc::Server server(server_broker);
  if (auto s = server.RegisterService(&service); !s.ok()) return 1;
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto stub = brokrpc::bench::Bench::NewStub(brokrpc::CreateChannel(client_broker));
  raw.Sequential(warmup, payload);
  BrokrpcSequential(*stub, warmup, payload);

  const int in_flight[3] = {1, 8, 64};
  constexpr int kFigures = 5;  // p50, p99, tp1, tp8, tp64
  std::vector<double> raw_v[kFigures], our_v[kFigures], ratio_v[kFigures];
  CpuCost raw_cpu[3], cpu[3];
  size_t heap_before = 0, heap_after = 0;
  const int per_round = std::max(1, opt.calls / opt.rounds);
  for (int r = 0; r < opt.rounds; ++r) {
    bool raw_first = r % 2 == 0;
    std::vector<double> raw_lat, lat;
    auto run_raw_lat = [&] { raw_lat = raw.Sequential(per_round, payload); };
    auto run_our_lat = [&] {
      if (r != opt.rounds - 1) {
        lat = BrokrpcSequential(*stub, per_round, payload);
        return;
      }
      // Last round: heap in use between the middle and the end (steady state).
      lat = BrokrpcSequential(*stub, per_round, payload);
      heap_before = HeapInUse();
      BrokrpcSequential(*stub, per_round, payload, /*record=*/false);
      heap_after = HeapInUse();
    };
    if (raw_first) {
      run_raw_lat();
      run_our_lat();
    } else {
      run_our_lat();
      run_raw_lat();
    }
    double values[2][kFigures];
    values[0][0] = Percentile(raw_lat, 0.50);
    values[1][0] = Percentile(lat, 0.50);
    values[0][1] = Percentile(raw_lat, 0.99);
    values[1][1] = Percentile(lat, 0.99);
    for (int i = 0; i < 3; ++i) {
      int calls = std::max(1, opt.throughput_calls / opt.rounds);
      auto run_raw = [&] {
        values[0][2 + i] = Measured(calls, &raw_cpu[i],
                                    [&] { return raw.Throughput(calls, in_flight[i], payload); });
      };
      auto run_ours = [&] {
        values[1][2 + i] = Measured(
            calls, &cpu[i], [&] { return BrokrpcThroughput(*stub, calls, in_flight[i], payload); });
      };
      if (raw_first) {
        run_raw();
        run_ours();
      } else {
        run_ours();
        run_raw();
      }
    }
    for (int f = 0; f < kFigures; ++f) {
      raw_v[f].push_back(values[0][f]);
      our_v[f].push_back(values[1][f]);
      ratio_v[f].push_back(values[1][f] / values[0][f]);
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

  std::printf("\n| %-28s | %12s | %12s | %6s | %-8s |\n", "figure (median of rounds)", "raw",
              "brokrpc", "ratio", "target");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(30, '-').c_str(), std::string(14, '-').c_str(),
              std::string(14, '-').c_str(), std::string(8, '-').c_str(),
              std::string(10, '-').c_str());
  const char* names[kFigures] = {"latency p50 (us)", "latency p99 (us)",
                                 "throughput, 1 in flight /s", "throughput, 8 in flight /s",
                                 "throughput, 64 in flight /s"};
  const char* targets[kFigures] = {"<= 1.10", "-", "-", "-", ">= 0.90"};
  for (int f = 0; f < kFigures; ++f) {
    std::printf("| %-28s | %12.1f | %12.1f | %6.3f | %-8s |\n", names[f], Percentile(raw_v[f], 0.5),
                Percentile(our_v[f], 0.5), Percentile(ratio_v[f], 0.5), targets[f]);
  }
  std::printf("| %-28s | %12.1f | %12.1f | %6.3f | %-8s |\n", "server stream msgs/s",
              Percentile(stream_raw, 0.5), Percentile(stream_ours, 0.5),
              Percentile(stream_ratio, 0.5), ">= 0.80");
  std::printf("\nper-round ratios:");
  for (int f = 0; f < kFigures; ++f) {
    std::printf("\n  %-28s", names[f]);
    for (double v : ratio_v[f]) std::printf(" %.3f", v);
  }
  std::printf("\n  %-28s", "server stream msgs/s");
  for (double v : stream_ratio) std::printf(" %.3f", v);
  std::printf(
      "\n\nCPU per call in the last round (us): bench process (client + server) / broker "
      "(broker only with BROKRPC_BROKER_PID)\n");
  for (int i = 0; i < 3; ++i) {
    std::printf("  %2d in flight: raw %6.1f / %6.1f   brokrpc %6.1f / %6.1f\n", in_flight[i],
                raw_cpu[i].self_us, raw_cpu[i].broker_us, cpu[i].self_us, cpu[i].broker_us);
  }
  long long growth = static_cast<long long>(heap_after) - static_cast<long long>(heap_before);
  std::printf(
      "\nheap held by live operator-new allocations around the last %d sequential calls (steady "
      "state): before %zu B, after %zu B, growth %lld B "
      "(%.3f B per call)\n",
      per_round, heap_before, heap_after, growth, static_cast<double>(growth) / per_round);
  return 0;
}
