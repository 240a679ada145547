// partial_test_server URL EXCHANGE a|b: serves part of brokrpc.test.partial.v1.Partial until
// killed; prints "ready" once it consumes. "a" overrides Greet and Notify, "b" Shout and Record.
// The unary method replies "<role>:<value>"; called with "wait:N" it instead waits (up to the
// call's deadline) until the role's fire-and-forget method has run N times and replies
// "<role>:<count>". Threading: handlers run on the handler pool; the count is shared under mu.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/server.h"
#include "partial/partial.brokrpc.pb.h"

namespace {

using brokrpc::test::partial::v1::Partial;
using google::protobuf::StringValue;

// How many fire-and-forget messages this process handled; waited on by the "wait:N" call.
class Counter {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  // Waits until `n` are counted or the call's deadline passes; the count.
  long WaitFor(long n, brokrpc::ServerContext* context) {
    std::unique_lock<std::mutex> lock(mu_);
    auto deadline = context->deadline().value_or(brokrpc::ServerContext::Clock::now() +
                                                 std::chrono::minutes(1));
    cv_.wait_until(lock, deadline, [&] { return count_ >= n; });
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  long count_ = 0;
};

// The unary reply of `role`: "<role>:<value>", or the wait described above.
brokrpc::Status Reply(const std::string& role, Counter& counter, brokrpc::ServerContext* context,
                      const StringValue* request, StringValue* response) {
  const std::string& v = request->value();
  if (v.rfind("wait:", 0) == 0) {
    response->set_value(role + ":" +
                        std::to_string(counter.WaitFor(std::stol(v.substr(5)), context)));
  } else {
    response->set_value(role + ":" + v);
  }
  return brokrpc::OkStatus();
}

// Overrides Greet and Notify only.
class PartialA : public Partial::Service {
 public:
  brokrpc::Status Greet(brokrpc::ServerContext* context, const StringValue* request,
                        StringValue* response) override {
    return Reply("a", counter_, context, request, response);
  }
  brokrpc::ConsumeResult Notify(brokrpc::ServerContext*, const StringValue*) override {
    counter_.Add();
    return brokrpc::ConsumeResult::Ack();
  }

 private:
  Counter counter_;
};

// Overrides Shout and Record only (privately: still detected as overridden).
class PartialB : public Partial::Service {
 private:
  brokrpc::Status Shout(brokrpc::ServerContext* context, const StringValue* request,
                        StringValue* response) override {
    return Reply("b", counter_, context, request, response);
  }
  brokrpc::ConsumeResult Record(brokrpc::ServerContext*, const StringValue*) override {
    counter_.Add();
    return brokrpc::ConsumeResult::Ack();
  }

  Counter counter_;
};

// Registers `service` through its own class, starts, prints "ready", serves until killed.
template <typename Impl>
int Serve(std::shared_ptr<brokrpc::Broker> broker, Impl* service) {
  brokrpc::Server server(std::move(broker));
  if (!server.RegisterService(service).ok() || !server.Start().ok()) return 1;
  std::printf("ready\n");
  std::fflush(stdout);
  server.Wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  brokrpc::BrokerOptions options;
  options.default_exchange.name = argv[2];
  options.default_exchange.auto_delete = true;
  auto broker = brokrpc::Broker::Create(argv[1], options);
  if (!broker.ok() || !(*broker)->Connect().ok()) return 1;
  std::string role = argv[3];
  if (role == "a") {
    PartialA a;
    return Serve(*broker, &a);
  }
  PartialB b;
  return Serve(*broker, &b);
}
