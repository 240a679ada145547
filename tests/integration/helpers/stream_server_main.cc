// stream_test_server URL EXCHANGE INSTANCE: serves test.Streams (tests/support/stream_service.h)
// until killed; prints "ready" once it consumes. Used by tests that kill a server mid-stream.
#include <cstdio>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/server.h"
#include "support/stream_service.h"

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  auto broker = brokrpc::Broker::Create(argv[1]);
  if (!broker.ok() || !(*broker)->Connect().ok()) return 1;
  brokrpc::testing::StreamSpec spec(argv[2]);
  brokrpc::testing::StreamService service(spec, argv[3]);
  brokrpc::Server server(*broker);
  if (!server.RegisterService(&service).ok() || !server.Start().ok()) return 1;
  std::printf("ready\n");
  std::fflush(stdout);
  server.Wait();
  return 0;
}
