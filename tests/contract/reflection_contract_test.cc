// Server reflection (ServerOptions::reflection) on both transports: the services served on an
// exchange come back from brokrpc.reflection.v1.ReflectionService/ListServices.
#include <catch2/catch.hpp>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/reflection/v1/reflection.pb.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using reflection::v1::ListServicesRequest;
using reflection::v1::ListServicesResponse;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::EchoService;
using testing::EchoSpec;
using testing::UniqueName;

// The client's view of the reflection service on `exchange`.
ServiceSpec ReflectionSpec(const ExchangeOptions& exchange) {
  return ServiceSpec{
      .full_name = "brokrpc.reflection.v1.ReflectionService",
      .package = "brokrpc.reflection.v1",
      .exchange = exchange,
      .methods = {MethodSpec{.name = "ListServices",
                             .routing_key = "/brokrpc.reflection.v1/ReflectionService/ListServices",
                             .kind = MethodKind::kUnary,
                             .request_type = "brokrpc.reflection.v1.ListServicesRequest",
                             .response_type = "brokrpc.reflection.v1.ListServicesResponse"}}};
}

Status ListServices(const ServiceSpec& reflection, ListServicesResponse* response) {
  auto client = ConnectedBroker(ContractUrl());
  auto channel = CreateChannel(client);
  ClientContext ctx;
  ctx.set_timeout(5s);
  return internal::BlockingUnaryCall(channel.get(), reflection, 0, &ctx, ListServicesRequest(),
                                     response);
}

TEST_CASE("reflection contract: a server with reflection lists the services of the exchange",
          "[rpc][reflection]") {
  EchoSpec first(UniqueName("reflect"), "first");
  EchoSpec second(first.exchange(), "second");
  EchoService a(first), b(second);
  auto broker = ConnectedBroker(ContractUrl());
  Server server(broker, {.reflection = true});
  REQUIRE(server.RegisterService(&a).ok());
  REQUIRE(server.RegisterService(&b).ok());
  REQUIRE(server.Start().ok());

  ListServicesResponse response;
  Status s = ListServices(ReflectionSpec(first.spec().exchange), &response);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(response.services_size() == 2);
  CHECK(response.services(0) == "first.Echo");
  CHECK(response.services(1) == "second.Echo");
  // Hand-written specs have no compiled-in descriptor: nothing to send for them.
  CHECK(response.files_size() == 0);
  server.Shutdown(5s).IgnoreError();
}

TEST_CASE("reflection contract: off by default, nobody answers (UNAVAILABLE at once)",
          "[rpc][reflection]") {
  EchoSpec spec(UniqueName("reflect-off"));
  EchoService service(spec);
  auto broker = ConnectedBroker(ContractUrl());
  Server server(broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  ListServicesResponse response;
  Status s = ListServices(ReflectionSpec(spec.spec().exchange), &response);
  CHECK(s.code() == StatusCode::kUnavailable);
  server.Shutdown(5s).IgnoreError();
}

TEST_CASE("reflection contract: the descriptors of a compiled-in service come with its imports",
          "[rpc][reflection]") {
  // The reflection service is itself compiled in: serve a stand-in under its full name.
  EchoSpec echo(UniqueName("reflect-files"));
  ServiceSpec spec = echo.spec();
  spec.full_name = "brokrpc.reflection.v1.ReflectionService";
  struct StandIn : Service {
    explicit StandIn(const ServiceSpec& s) : Service(s) {
      AddUnaryHandler<testing::StringValue, testing::StringValue>(
          0, [](ServerContext*, const testing::StringValue*, testing::StringValue*) {
            return OkStatus();
          });
    }
  } stand_in(spec);
  auto broker = ConnectedBroker(ContractUrl());
  Server server(broker, {.reflection = true});
  REQUIRE(server.RegisterService(&stand_in).ok());
  REQUIRE(server.Start().ok());
  ListServicesResponse response;
  Status s = ListServices(ReflectionSpec(spec.exchange), &response);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(response.files_size() == 2);
  CHECK(response.files(0).name() == "google/protobuf/descriptor.proto");
  CHECK(response.files(1).name() == "brokrpc/reflection/v1/reflection.proto");
  REQUIRE(response.files(1).service_size() == 1);
  CHECK(response.files(1).service(0).name() == "ReflectionService");
  server.Shutdown(5s).IgnoreError();
}

}  // namespace
}  // namespace brokrpc
