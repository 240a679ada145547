// greeter_server [URL]: serves greeting.Greeter until SIGINT / SIGTERM.
#include <cstdio>
#include <cstdlib>
#include <string>

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
    std::printf("server: Greet(%s) [correlation %s]\n", request->name().c_str(),
                context->correlation_id().c_str());
    std::fflush(stdout);
    response->set_greeting("Hello, " + request->name() + "!");
    return brokrpc::OkStatus();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
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
  // reflection: `brokrpc list URL -e EXCHANGE` and `brokrpc call` work without the .proto.
  brokrpc::Server server(*broker, {.reflection = true});
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
