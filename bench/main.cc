// brokrpc_bench: raw rabbitmq-c RPC vs brokrpc unary calls through a generated stub, one broker,
// one run. Prints a table with the ratio brokrpc / raw for each figure.
//
//   brokrpc_bench [--url amqp://guest:guest@127.0.0.1:5672/] [--calls 20000]
//                 [--throughput-calls 20000] [--payload 64]
#include <malloc.h>
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
#include "raw_rpc.h"

namespace {

using namespace std::chrono_literals;

struct Options {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  int calls = 20000;
  int throughput_calls = 20000;
  size_t payload = 64;
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
};

std::vector<double> BrokrpcSequential(brokrpc::bench::Bench::Stub& stub, int calls,
                                      const std::string& payload) {
  std::vector<double> us;
  us.reserve(calls);
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

size_t HeapInUse() { return mallinfo2().uordblks; }

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

void Row(const char* what, double raw, double ours, const char* target) {
  std::printf("| %-28s | %12.1f | %12.1f | %6.3f | %-14s |\n", what, raw, ours, ours / raw, target);
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

  // Raw rabbitmq-c.
  std::vector<double> raw_lat;
  double raw_tp[3];
  CpuCost raw_cpu[3], cpu[3];
  const int in_flight[3] = {1, 8, 64};
  {
    bench::RawServer server(host, port, "raw-bench", "raw-bench-ping");
    bench::RawClient client(host, port, "raw-bench", "raw-bench-ping");
    client.Sequential(warmup, payload);
    raw_lat = client.Sequential(opt.calls, payload);
    for (int i = 0; i < 3; ++i) {
      raw_tp[i] = Measured(opt.throughput_calls, &raw_cpu[i], [&] {
        return client.Throughput(opt.throughput_calls, in_flight[i], payload);
      });
    }
  }

  // brokrpc through the generated stub.
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
  auto channel = brokrpc::CreateChannel(client_broker);
  auto stub = brokrpc::bench::Bench::NewStub(channel);
  BrokrpcSequential(*stub, warmup, payload);
  size_t heap_before = HeapInUse();
  std::vector<double> lat = BrokrpcSequential(*stub, opt.calls, payload);
  size_t heap_after = HeapInUse();
  double tp[3];
  for (int i = 0; i < 3; ++i) {
    tp[i] = Measured(opt.throughput_calls, &cpu[i], [&] {
      return BrokrpcThroughput(*stub, opt.throughput_calls, in_flight[i], payload);
    });
  }
  server.Shutdown(5s).IgnoreError();

  std::printf("\n| %-28s | %12s | %12s | %6s | %-14s |\n", "figure", "raw", "brokrpc", "ratio",
              "target");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(30, '-').c_str(), std::string(14, '-').c_str(),
              std::string(14, '-').c_str(), std::string(8, '-').c_str(),
              std::string(16, '-').c_str());
  Row("latency p50 (us)", Percentile(raw_lat, 0.50), Percentile(lat, 0.50), "<= 1.10");
  Row("latency p99 (us)", Percentile(raw_lat, 0.99), Percentile(lat, 0.99), "-");
  Row("throughput, 1 in flight /s", raw_tp[0], tp[0], "-");
  Row("throughput, 8 in flight /s", raw_tp[1], tp[1], "-");
  Row("throughput, 64 in flight /s", raw_tp[2], tp[2], ">= 0.90");
  std::printf(
      "\nCPU per call (us): client+server process / broker (broker only with "
      "BROKRPC_BROKER_PID)\n");
  for (int i = 0; i < 3; ++i) {
    std::printf("  %2d in flight: raw %6.1f / %6.1f   brokrpc %6.1f / %6.1f\n", in_flight[i],
                raw_cpu[i].self_us, raw_cpu[i].broker_us, cpu[i].self_us, cpu[i].broker_us);
  }
  long long growth = static_cast<long long>(heap_after) - static_cast<long long>(heap_before);
  std::printf(
      "\nheap in use around %d sequential calls: before %zu B, after %zu B, growth %lld B "
      "(%.3f B per call)\n",
      opt.calls, heap_before, heap_after, growth, static_cast<double>(growth) / opt.calls);
  return 0;
}
