// greeter_client [URL] [NAME...]: calls greeting.Greeter synchronously and asynchronously.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "brokrpc/brokrpc.h"
#include "greeter.brokrpc.pb.h"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
  std::vector<std::string> names(argv + std::min(argc, 2), argv + argc);
  if (names.empty()) names = {"Alice", "Bob"};

  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok()) {
    std::fprintf(stderr, "client: %s\n", broker.status().ToString().c_str());
    return 2;
  }
  auto stub = greeting::Greeter::NewStub(brokrpc::CreateChannel(*broker));
  int failures = 0;

  // Synchronous calls, each with a deadline.
  for (const auto& name : names) {
    brokrpc::ClientContext context;
    context.set_timeout(5s);
    greeting::GreetRequest request;
    request.set_name(name);
    greeting::GreetResponse response;
    brokrpc::Status s = stub->Greet(&context, request, &response);
    if (s.ok()) {
      std::printf("client: %s\n", response.greeting().c_str());
    } else {
      std::printf("client: Greet(%s) failed: %s\n", name.c_str(), s.ToString().c_str());
      ++failures;
    }
  }

  // A call the server refuses: its status comes back as it was returned.
  brokrpc::ClientContext bad;
  greeting::GreetResponse ignored;
  brokrpc::Status refused = stub->Greet(&bad, greeting::GreetRequest(), &ignored);
  std::printf("client: Greet(\"\") -> %s\n", refused.ToString().c_str());

  // Asynchronous calls: all in flight at once.
  std::vector<std::unique_ptr<brokrpc::ClientContext>> contexts;
  std::vector<std::future<brokrpc::StatusOr<greeting::GreetResponse>>> futures;
  for (int i = 0; i < 5; ++i) {
    contexts.push_back(std::make_unique<brokrpc::ClientContext>());
    greeting::GreetRequest request;
    request.set_name("async-" + std::to_string(i));
    futures.push_back(stub->AsyncGreet(contexts.back().get(), request));
  }
  for (auto& f : futures) {
    auto r = f.get();
    if (r.ok()) {
      std::printf("client: %s\n", r->greeting().c_str());
    } else {
      std::printf("client: async call failed: %s\n", r.status().ToString().c_str());
      ++failures;
    }
  }
  return failures == 0 && refused.code() == brokrpc::StatusCode::kInvalidArgument ? 0 : 1;
}
