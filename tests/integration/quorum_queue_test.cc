// Quorum server queues on the private broker: a service on a quorum queue answers, the URL
// default switches every server queue, and what quorum queues cannot be is refused up front.
#include <catch2/catch.hpp>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitUrl;
using testing::UniqueName;

std::string WithQuery(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

// The type RabbitMQ reports for queue `name` ("classic", "quorum"), or "" when there is none.
std::string QueueType(const std::string& name) {
  std::string out = testing::RabbitCtl("list_queues -q --no-table-headers name type");
  size_t at = out.find(name + "\t");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 1;
  return out.substr(start, out.find('\n', start) - start);
}

// Serves `spec` on `url`, calls Echo once through a channel on the plain URL, then stops.
void ServeAndCall(const std::string& url, const EchoSpec& spec) {
  auto server_broker = ConnectedBroker(url);
  EchoService service(spec);
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  ctx.set_timeout(std::chrono::seconds(20));
  std::string reply;
  Status s = testing::CallEcho(*channel, spec, &ctx, "hi", &reply);
  INFO(s.ToString());
  CHECK(s.ok());
  CHECK(reply == "echo: hi");
}

TEST_CASE("quorum: a service on a quorum server queue answers calls", "[quorum]") {
  EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/false,
                FieldTable{{"x-queue-type", "quorum"}});
  ServeAndCall(RabbitUrl(), spec);
  CHECK(QueueType(spec.routing_key(EchoSpec::kEcho)) == "quorum");
  CHECK(QueueType(spec.routing_key(EchoSpec::kNotify)) == "classic");
  auto admin = ConnectedBroker(RabbitUrl());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).ok());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).ok());
}

TEST_CASE("quorum: ?queue_type=quorum makes every server queue quorum, reply queues stay classic",
          "[quorum]") {
  EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/false);
  std::string name = UniqueName("qq-conn");
  {
    auto server_broker = ConnectedBroker(WithQuery(RabbitUrl(), "queue_type=quorum"));
    EchoService service(spec);
    Server server(server_broker);
    REQUIRE(server.RegisterService(&service).ok());
    REQUIRE(server.Start().ok());
    // A client on the same URL: its reply queue is exclusive, transient and classic.
    auto channel = CreateChannel(ConnectedBroker(WithQuery(RabbitUrl(), "queue_type=quorum")));
    ClientContext ctx;
    ctx.set_timeout(std::chrono::seconds(20));
    std::string reply;
    Status s = testing::CallEcho(*channel, spec, &ctx, "hi", &reply);
    INFO(s.ToString());
    CHECK(s.ok());
    std::string out = testing::RabbitCtl("list_queues -q --no-table-headers name type exclusive");
    CHECK_THAT(out, Catch::Matches("(.|\n)*response\\.[0-9a-f]{32}\tclassic\ttrue(.|\n)*"));
  }
  CHECK(QueueType(spec.routing_key(EchoSpec::kEcho)) == "quorum");
  CHECK(QueueType(spec.routing_key(EchoSpec::kNotify)) == "quorum");
  auto admin = ConnectedBroker(RabbitUrl());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).ok());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).ok());
}

TEST_CASE(
    "quorum: a non-durable or auto-delete quorum queue is refused before anything is declared",
    "[quorum]") {
  SECTION("x-queue-type quorum in the queue's arguments") {
    EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/true,
                  FieldTable{{"x-queue-type", "quorum"}});
    auto broker = ConnectedBroker(RabbitUrl());
    EchoService service(spec);
    Server server(broker);
    Status s = server.RegisterService(&service);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains(spec.routing_key(EchoSpec::kEcho)) &&
                                Catch::Contains("auto_delete=true"));
    CHECK(QueueType(spec.routing_key(EchoSpec::kEcho)).empty());
  }
  SECTION("the URL's queue_type=quorum over a .proto that asks for auto-delete") {
    EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/true);
    auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "queue_type=quorum"));
    EchoService service(spec);
    Server server(broker);
    Status s = server.RegisterService(&service);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains("auto_delete=true") &&
                                Catch::Contains("the broker URL's queue_type"));
    CHECK(QueueType(spec.routing_key(EchoSpec::kEcho)).empty());
  }
  SECTION("BrokerOptions::server_queue_type over default_queue.durable=false") {
    BrokerOptions options;
    options.server_queue_type = QueueType::kQuorum;
    options.default_queue.durable = false;
    EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/false);
    auto broker = ConnectedBroker(RabbitUrl(), options);
    EchoService service(spec);
    Server server(broker);
    Status s = server.RegisterService(&service);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains("durable=false") &&
                                Catch::Contains("BrokerOptions::server_queue_type"));
  }
}

TEST_CASE("quorum: a classic server queue is not redeclared as quorum (FAILED_PRECONDITION)",
          "[quorum]") {
  EchoSpec spec(UniqueName("qq-x"), UniqueName("qq"), /*auto_delete=*/false);
  {
    auto broker = ConnectedBroker(RabbitUrl());
    EchoService service(spec);
    Server server(broker);
    REQUIRE(server.RegisterService(&service).ok());
    REQUIRE(server.Start().ok());
  }
  CHECK(QueueType(spec.routing_key(EchoSpec::kEcho)) == "classic");
  {
    auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "queue_type=quorum"));
    EchoService service(spec);
    Server server(broker);
    REQUIRE(server.RegisterService(&service).ok());
    Status s = server.Start();
    INFO(s.ToString());
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(s.message(), Catch::Contains("x-queue-type"));
  }
  auto admin = ConnectedBroker(RabbitUrl());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).ok());
  CHECK(admin->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).ok());
}

}  // namespace
}  // namespace brokrpc
