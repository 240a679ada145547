// greeter_server [URL] [--metrics-file PATH]: serves greeting.Greeter until SIGINT / SIGTERM.
// With --metrics-file, the server's metrics (Prometheus text format) are rewritten to PATH every
// 5 seconds and once more on exit: a node-exporter textfile collector reads exactly that.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "brokrpc/brokrpc.h"
#include "greeter.brokrpc.pb.h"

namespace {

class GreeterImpl final : public greeting::Greeter::Service {
 public:
  brokrpc::Status Greet(brokrpc::ServerContext* context, const greeting::GreetRequest* request,
                        greeting::GreetResponse* response) override {
    if (request->name().empty()) {
      return brokrpc::InvalidArgumentError("a name is required");
    }
    std::printf("server: Greet(%s) [correlation %s, trace %s]\n", request->name().c_str(),
                context->correlation_id().c_str(),
                context->trace_context() ? context->trace_context()->trace_id().c_str() : "-");
    std::fflush(stdout);
    response->set_greeting("Hello, " + request->name() + "!");
    return brokrpc::OkStatus();
  }
};

// Rewrites the metrics file every `period` until destroyed, then once more.
class MetricsFileWriter {
 public:
  MetricsFileWriter(const brokrpc::Metrics& metrics, std::string path, std::chrono::seconds period)
      : metrics_(metrics), path_(std::move(path)), thread_([this, period] {
          std::unique_lock<std::mutex> lock(mu_);
          do {
            Write();
          } while (!cv_.wait_for(lock, period, [this] { return stop_; }));
          Write();
        }) {}
  ~MetricsFileWriter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Write() {
    if (brokrpc::Status s = metrics_.WritePrometheusFile(path_); !s.ok()) {
      std::fprintf(stderr, "server: metrics: %s\n", s.ToString().c_str());
    }
  }
  const brokrpc::Metrics& metrics_;
  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string metrics_file;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--metrics-file") == 0 && i + 1 < argc) {
      metrics_file = argv[++i];
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: greeter_server [URL] [--metrics-file PATH]\n");
      return 2;
    } else {
      url = argv[i];
    }
  }
  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok()) {
    std::fprintf(stderr, "server: %s\n", broker.status().ToString().c_str());
    return 2;
  }
  if (brokrpc::Status s = (*broker)->Connect(); !s.ok()) {
    std::fprintf(stderr, "server: %s\n", s.ToString().c_str());
    return 1;
  }
  GreeterImpl greeter;
  auto metrics = std::make_shared<brokrpc::Metrics>();
  metrics->WatchConnection(**broker);
  std::unique_ptr<MetricsFileWriter> metrics_writer;
  if (!metrics_file.empty()) {
    metrics_writer =
        std::make_unique<MetricsFileWriter>(*metrics, metrics_file, std::chrono::seconds(5));
  }
  // reflection: `brokrpc list URL -e EXCHANGE` and `brokrpc call` work without the .proto.
  brokrpc::Server server(*broker,
                         {.interceptors = {metrics->server_interceptor()}, .reflection = true});
  if (brokrpc::Status s = server.RegisterService(&greeter); !s.ok()) {
    std::fprintf(stderr, "server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("server: serving %s on %s (Ctrl-C to stop)\n",
              std::string(greeting::Greeter::service_full_name()).c_str(),
              (*broker)->redacted_url().c_str());
  std::fflush(stdout);
  brokrpc::Status s = server.RunUntilSignalled();
  std::printf("server: stopped%s\n", s.ok() ? "" : (": " + s.ToString()).c_str());
  return s.ok() ? 0 : 1;
}
