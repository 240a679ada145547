// brokrpc call against the example servers on the private broker: the greeter (unary) with
// --proto, --descriptor-set, reflection and the JSON wire, the route guide (the three stream
// kinds), a fire-and-forget method, and the errors a person has to act on.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/cli_paths.h"
#include "cli/process.h"
#include "support/test_support.h"

namespace brokrpc::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kInvalidArgument = 64 + 3;
constexpr int kNotFound = 64 + 5;
constexpr int kUnavailable = 64 + 14;

const std::string kRouteProto = kExamplesDir + "/route/route.proto";
const std::string kNotificationsProto = kExamplesDir + "/notifications/notifications.proto";

// An example server, running until the test case ends.
struct Server {
  explicit Server(const std::string& path) : process({path, RabbitUrl()}) {
    REQUIRE(process.WaitFor("serving", false, 30s));
  }
  Process process;
};

// Whether every queue in `queues` has a consumer on the broker.
bool Consumed(const std::vector<std::string>& queues) {
  std::istringstream lines(RabbitCtl("list_queues -q --no-table-headers name consumers"));
  std::string name;
  int consumers = 0;
  size_t found = 0;
  while (lines >> name >> consumers) {
    for (const auto& q : queues) found += (q == name && consumers > 0) ? 1 : 0;
  }
  return found == queues.size();
}

std::string Greeting(const std::string& name) {
  return "{\"greeting\":\"Hello, " + name + "!\"}\n";
}

TEST_CASE("cli: call the greeter with --proto prints the reply as proto3 JSON", "[cli]") {
  Server server(kGreeterServer);
  RunResult r = Run(Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--proto", kGreeterProto,
                         "-d", "{\"name\": \"Alice\"}", "--wait-for-ready", "--timeout", "20"}));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == Greeting("Alice"));
}

TEST_CASE("cli: call the greeter with --descriptor-set, the request from stdin (-d @-)", "[cli]") {
  Server server(kGreeterServer);
  RunResult r = Run(Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--descriptor-set",
                         kGreeterDescriptorSet, "-d", "@-", "--wait-for-ready"}),
                    "{\"name\": \"Bob\"}\n");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == Greeting("Bob"));
}

TEST_CASE("cli: call with --wire json and metadata, non-ASCII survives", "[cli]") {
  Server server(kGreeterServer);
  RunResult r = Run(
      Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--proto", kGreeterProto, "--wire",
           "json", "-H", "tenant: acme", "-d", "{\"name\": \"J\u00f6hn\"}", "--wait-for-ready"}));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == Greeting("J\u00f6hn"));
}

TEST_CASE("cli: list, describe and call through reflection, without the .proto",
          "[cli][reflection]") {
  Server server(kGreeterServer);
  const std::string url = RabbitUrl();
  RunResult call = Run(Cli({"call", url, "-e", "greetings", "greeting.Greeter/Greet", "-d",
                            "{\"name\": \"Eve\"}", "--timeout", "20"}));
  INFO(call.err);
  CHECK(call.exit_code == 0);
  CHECK(call.out == Greeting("Eve"));
  RunResult list = Run(Cli({"list", url, "-e", "greetings"}));
  INFO(list.err);
  CHECK(list.exit_code == 0);
  CHECK(list.out ==
        "greeting.Greeter\n"
        "  exchange: greetings (type=direct durable=false auto_delete=false arguments={})\n"
        "  Greet: unary, greeting.GreetRequest -> greeting.GreetResponse\n"
        "    routing key: /greeting/Greeter/Greet\n"
        "    queue: /greeting/Greeter/Greet (durable=false exclusive=false auto_delete=false)\n");
  RunResult describe = Run(Cli({"describe", url, "-e", "greetings", "greeting.GreetRequest"}));
  INFO(describe.err);
  CHECK(describe.exit_code == 0);
  CHECK(describe.out.rfind("message GreetRequest {\n  string name = 1", 0) == 0);
}

TEST_CASE("cli: reflection on an exchange where no server answers it is UNAVAILABLE",
          "[cli][reflection]") {
  RunResult r = Run(Cli({"list", RabbitUrl(), "-e", "amq.direct"}));
  CHECK(r.exit_code == kUnavailable);
  CHECK(r.err.find("no server on exchange 'amq.direct' answers reflection") != std::string::npos);
}

TEST_CASE("cli: a handler's error status is printed and gives exit status 64 + code", "[cli]") {
  Server server(kGreeterServer);
  RunResult r = Run(Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--proto", kGreeterProto,
                         "-d", "{}", "--wait-for-ready"}));
  CHECK(r.exit_code == kInvalidArgument);
  CHECK(r.out.empty());
  CHECK(r.err == "brokrpc: INVALID_ARGUMENT: a name is required\n");
}

TEST_CASE("cli: an unknown method lists the methods that exist", "[cli]") {
  RunResult r = Run(
      Cli({"call", RabbitUrl(), "greeting.Greeter/Great", "--proto", kGreeterProto, "-d", "{}"}));
  CHECK(r.exit_code == kNotFound);
  CHECK(r.err.find("unknown method 'Great'") != std::string::npos);
  CHECK(r.err.find("greeting.Greeter/Greet") != std::string::npos);
}

TEST_CASE("cli: malformed request JSON names the field", "[cli]") {
  RunResult r = Run(Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--proto", kGreeterProto,
                         "-d", "{\"name\": 42}"}));
  CHECK(r.exit_code == kInvalidArgument);
  CHECK(r.err.find("greeting.GreetRequest") != std::string::npos);
  CHECK(r.err.find("name") != std::string::npos);
}

TEST_CASE("cli: an unreachable broker names host and reason, never the password", "[cli]") {
  RunResult r = Run(Cli({"call", "amqp://guest:pw-s3cret@127.0.0.1:1/", "greeting.Greeter/Greet",
                         "--proto", kGreeterProto, "-d", "{\"name\": \"x\"}"}));
  CHECK(r.exit_code == kUnavailable);
  CHECK(r.err.find("127.0.0.1:1") != std::string::npos);
  CHECK(r.err.find("refused") != std::string::npos);
  CHECK(r.err.find("pw-s3cret") == std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("cli: a call while the broker is stopped fails with UNAVAILABLE", "[cli][fault]") {
  RabbitCtl("stop_app");
  RunResult r = Run(Cli({"call", RabbitUrl(), "greeting.Greeter/Greet", "--proto", kGreeterProto,
                         "-d", "{\"name\": \"x\"}"}));
  RabbitCtl("start_app");
  INFO(r.err);
  CHECK(r.exit_code == kUnavailable);
  CHECK(r.err.find("cannot connect to amqp://guest:***@") != std::string::npos);
}

TEST_CASE("cli: the three stream kinds against the route guide", "[cli]") {
  Server server(kRouteServer);
  REQUIRE(Eventually(
      [] {
        return Consumed({"/route/RouteGuide/ListFeatures", "/route/RouteGuide/RecordRoute",
                         "/route/RouteGuide/RouteChat"});
      },
      30s));
  const std::string url = RabbitUrl();

  SECTION("server streaming prints one JSON object per line") {
    RunResult r = Run(Cli({"call", url, "route.RouteGuide/ListFeatures", "--proto", kRouteProto,
                           "-d", R"({"lo": {"x": 0, "y": 0}, "hi": {"x": 3, "y": 3}})"}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "{\"name\":\"feature@0,0\",\"location\":{}}\n"
          "{\"name\":\"feature@1,1\",\"location\":{\"x\":1,\"y\":1}}\n"
          "{\"name\":\"feature@2,2\",\"location\":{\"x\":2,\"y\":2}}\n"
          "{\"name\":\"feature@3,3\",\"location\":{\"x\":3,\"y\":3}}\n");
  }
  SECTION("client streaming reads one JSON object per line from stdin") {
    RunResult r = Run(Cli({"call", url, "route.RouteGuide/RecordRoute", "--proto", kRouteProto}),
                      "{\"x\": 1, \"y\": 1}\n{\"x\": 3, \"y\": 4}\n\n{\"x\": 0, \"y\": 0}\n");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "{\"points\":3,\"distance\":12}\n");
  }
  SECTION("bidirectional: requests from stdin, responses as they come") {
    RunResult r = Run(Cli({"call", url, "route.RouteGuide/RouteChat", "--proto", kRouteProto}),
                      "{\"location\": {\"x\": 7, \"y\": 7}, \"text\": \"a\"}\n"
                      "{\"location\": {\"x\": 7, \"y\": 7}, \"text\": \"b\"}\n");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "{\"location\":{\"x\":7,\"y\":7},\"text\":\"a\"}\n");
  }
  SECTION("a bad line in a client stream ends the call with INVALID_ARGUMENT") {
    RunResult r = Run(Cli({"call", url, "route.RouteGuide/RecordRoute", "--proto", kRouteProto}),
                      "{\"x\": 1}\n{\"x\": \"far\"}\n");
    CHECK(r.exit_code == kInvalidArgument);
    CHECK(r.err.find("route.Point") != std::string::npos);
  }
}

TEST_CASE("cli: a fire-and-forget call is published, confirmed and delivered", "[cli]") {
  const std::string url = RabbitUrl();
  const std::string exchange = UniqueName("test-cli-notify");
  // The consumer stands in for the server: bound with the method's routing key.
  Process consumer(
      Cli({"consume", url, "/notifications/Notifications/Notify", "-e", exchange, "-n", "1", "-s",
           "protobuf:notifications.Notice", "--proto", kNotificationsProto}));
  REQUIRE(consumer.WaitFor("consuming", true, 30s));
  RunResult r = Run(Cli({"call", url, "notifications.Notifications/Notify", "--proto",
                         kNotificationsProto, "-e", exchange, "-d", "{\"text\": \"hi\"}"}));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("confirmed") != std::string::npos);
  RunResult consumed = consumer.Finish(30s);
  INFO(consumed.err);
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out == "{\"text\":\"hi\"}\n");
}

}  // namespace
}  // namespace brokrpc::testing
