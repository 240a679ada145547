// signal_test_server URL EXCHANGE PACKAGE: serves <PACKAGE>.Echo with RunUntilSignalled (drain 5
// s); "slow" requests take 3 s. Prints "ready" once it consumes; exits 0 after a clean drain.
#include <chrono>
#include <cstdio>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  auto broker = brokrpc::Broker::Create(argv[1]);
  if (!broker.ok() || !(*broker)->Connect().ok()) return 1;
  brokrpc::testing::EchoSpec spec(argv[2], argv[3]);
  brokrpc::testing::EchoService service(
      spec, [](brokrpc::ServerContext*, const brokrpc::testing::StringValue& req,
               brokrpc::testing::StringValue* resp) {
        // Slow on purpose: SIGTERM arrives while this runs (behaviour, not synchronisation).
        if (req.value() == "slow") std::this_thread::sleep_for(std::chrono::seconds(3));
        resp->set_value("drained: " + req.value());
        return brokrpc::OkStatus();
      });
  brokrpc::Server server(*broker);
  if (!server.RegisterService(&service).ok()) return 1;
  std::thread announce([&] {
    // Polls: the server has no "started" event to wait on.
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::printf("ready\n");
    std::fflush(stdout);
  });
  brokrpc::Status s = server.RunUntilSignalled(std::chrono::seconds(5));
  announce.join();
  return s.ok() ? 0 : 1;
}
