// brokrpc consume / publish on the private broker, as BrokRPC's own CLI test does (exchange
// test-cli, routing key test-cli-messaging, body test-cli-body), plus brokrpc-cpp's additions.
#include <signal.h>

#include <catch2/catch.hpp>

#include "cli/cli_paths.h"
#include "cli/process.h"
#include "support/test_support.h"

namespace brokrpc::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("cli: consume -n 1 receives what publish sent (test-cli, test-cli-messaging)", "[cli]") {
  const std::string url = RabbitUrl();
  Process consumer(Cli({"consume", url, "test-cli-messaging", "-e", "test-cli", "-n", "1"}));
  REQUIRE(consumer.WaitFor("consuming", true, 30s));
  // No newline after the line: the body is exactly the line.
  RunResult published =
      Run(Cli({"publish", url, "test-cli-messaging", "-e", "test-cli"}), "test-cli-body");
  INFO(published.err);
  CHECK(published.exit_code == 0);
  CHECK(published.err == "sent\n");
  RunResult consumed = consumer.Finish(30s);
  INFO(consumed.err);
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out == "test-cli-body\n");
}

TEST_CASE("cli: BrokRPC's own invocation (URL KEY -e X -c or -p) works, SIGINT ends it with 0",
          "[cli]") {
  const std::string url = RabbitUrl();
  const std::string key = UniqueName("test-cli-messaging");
  Process consumer(Cli({url, key, "-e", "test-cli", "-c"}));
  REQUIRE(consumer.WaitFor("consuming", true, 30s));
  RunResult published = Run(Cli({url, key, "-e", "test-cli", "-p"}), "test-cli-body\n");
  INFO(published.err);
  CHECK(published.exit_code == 0);
  CHECK(published.err == "sent\n");
  // BrokRPC keeps the line's newline in the body; -o body adds one.
  REQUIRE(consumer.WaitFor("test-cli-body\n\n", false, 30s));
  consumer.Signal(SIGINT);
  RunResult consumed = consumer.Finish(30s);
  INFO(consumed.err);
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out == "test-cli-body\n\n");
}

TEST_CASE("cli: -s protobuf:TYPE publishes binary protobuf that consume -o json prints as JSON",
          "[cli]") {
  const std::string url = RabbitUrl();
  const std::string key = UniqueName("test-cli-protobuf");
  Process consumer(Cli({"consume", url, key, "-e", "test-cli", "-n", "1", "-o", "json", "-s",
                        "protobuf:greeting.GreetRequest", "--proto", kGreeterProto}));
  REQUIRE(consumer.WaitFor("consuming", true, 30s));
  RunResult published = Run(Cli({"publish", url, key, "-e", "test-cli", "-q", "-s",
                                 "protobuf:greeting.GreetRequest", "--proto", kGreeterProto}),
                            "{\"name\": \"test-cli-body\"}\n");
  INFO(published.err);
  CHECK(published.exit_code == 0);
  CHECK(published.err.empty());  // -q
  RunResult consumed = consumer.Finish(30s);
  INFO(consumed.err);
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out.find("\"routing_key\":\"" + key + "\"") != std::string::npos);
  CHECK(consumed.out.find("\"content_type\":\"application/protobuf\"") != std::string::npos);
  CHECK(consumed.out.find("\"type\":\"greeting.GreetRequest\"") != std::string::npos);
  CHECK(consumed.out.find("\"body\":{\"name\":\"test-cli-body\"}}\n") != std::string::npos);
}

TEST_CASE("cli: publish fails with a non-zero exit when a message is returned (no queue bound)",
          "[cli]") {
  RunResult published =
      Run(Cli({"publish", RabbitUrl(), UniqueName("nobody"), "-e", "amq.direct"}), "lost\n");
  INFO(published.err);
  CHECK(published.exit_code == 64 + 14);  // UNAVAILABLE
  CHECK(published.err.find("NO_ROUTE") != std::string::npos);
  CHECK(published.err.find("sent") == std::string::npos);
}

TEST_CASE("cli: publish -s protobuf:TYPE refuses a line that is not the type's JSON", "[cli]") {
  RunResult published = Run(Cli({"publish", RabbitUrl(), "k", "-e", "amq.direct", "-s",
                                 "protobuf:greeting.GreetRequest", "--proto", kGreeterProto}),
                            "{\"nmae\": \"x\"}\n");
  INFO(published.err);
  CHECK(published.exit_code == 64 + 3);  // INVALID_ARGUMENT
  CHECK(published.err.find("line 1") != std::string::npos);
  CHECK(published.err.find("nmae") != std::string::npos);
}

}  // namespace
}  // namespace brokrpc::testing
