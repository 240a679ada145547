// How a failed publish is told apart, on a real broker: by the outcome's kind and reply code,
// never by the text of an error (which can hold any number); and fire-and-forget messages that
// wait in their queue for as long as it takes unless the caller set a deadline.
#include <catch2/catch.hpp>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitCtl;
using testing::RabbitUrl;
using testing::StringValue;
using testing::UniqueName;

// RabbitUrl() with another vhost and query parameters.
std::string UrlWithVhost(const std::string& vhost, const std::string& query) {
  std::string url = RabbitUrl();
  size_t path = url.find('/', url.find("://") + 3);
  std::string base = path == std::string::npos ? url : url.substr(0, path);
  return base + "/" + vhost + "?" + query;
}

// A vhost for one test, deleted again at the end.
struct ScopedVhost {
  std::string name;
  explicit ScopedVhost(std::string n) : name(std::move(n)) {
    RabbitCtl("add_vhost " + name);
    RabbitCtl("set_permissions -p " + name + " guest '.*' '.*' '.*'");
  }
  ~ScopedVhost() { RabbitCtl("delete_vhost " + name); }
};

TEST_CASE("publish outcome: a lost connection is lost, though the URL and reason contain 312",
          "[outcome]") {
  // Before publish outcomes were data, "312" anywhere in an error's text (a port like 23120, a
  // vhost, a close reason) made a lost connection look like an unroutable request: reported as
  // "no server is consuming" and, with wait-for-ready, sent again.
  ScopedVhost vhost(UniqueName("vhost312-"));
  EchoSpec spec(UniqueName("outcome"));
  testing::Latch release(1);
  EchoService service(spec, [&](ServerContext*, const StringValue& req, StringValue* resp) {
    release.Wait(20s);  // held until the client's connection was closed
    resp->set_value("echo: " + req.value());
    return OkStatus();
  });
  const std::string query = "reconnect_initial_ms=100&reconnect_max_ms=1000&name=";
  std::string client_name = UniqueName("client312-");
  auto server_broker = ConnectedBroker(UrlWithVhost(vhost.name, query + UniqueName("server312-")));
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  auto channel = CreateChannel(ConnectedBroker(UrlWithVhost(vhost.name, query + client_name)));

  ClientContext ctx;
  ctx.set_timeout(20s);
  ctx.set_wait_for_ready(true);
  StringValue req;
  req.set_value("held");
  auto call = internal::AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec(),
                                                                 EchoSpec::kEcho, &ctx, req);
  REQUIRE(testing::Eventually([&] { return service.echo_calls.load() > 0; }));
  RabbitCtl("close_connection '" + testing::ConnectionPid(client_name) + "' 'maintenance 312'");
  auto r = call.get();
  release.CountDown();
  REQUIRE(server.Shutdown(5s).ok());

  INFO(r.status().ToString());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(r.status().message(), Catch::Contains("lost"));
  CHECK_THAT(r.status().message(), Catch::Contains("maintenance 312"));
  CHECK_THAT(r.status().message(), !Catch::Contains("no server is consuming"));
  CHECK(ctx.attempts() == 1);             // not sent again as if it had been unroutable
  CHECK(service.echo_calls.load() == 1);  // the handler ran once
}

TEST_CASE("publish outcome: an unroutable request is reported as such", "[outcome]") {
  EchoSpec spec(UniqueName("outcome-none"));
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  ctx.set_timeout(10s);
  std::string reply;
  Status s = testing::CallEcho(*channel, spec, &ctx, "anyone?", &reply);
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), Catch::Contains("no server is consuming"));
}

TEST_CASE("publish outcome: fire-and-forget without a deadline outlives the default timeout",
          "[outcome]") {
  // The queue survives its server (not auto-delete); the channel's default timeout is short.
  EchoSpec spec(UniqueName("faf"), UniqueName("faf"), /*auto_delete=*/false);
  std::mutex mu;
  std::vector<std::string> received;
  EchoService service(spec, nullptr, [&](ServerContext*, const StringValue& m) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(m.value());
    return ConsumeResult::Ack();
  });
  auto server_broker = ConnectedBroker(RabbitUrl());
  {
    Server first(server_broker);
    REQUIRE(first.RegisterService(&service).ok());
    REQUIRE(first.Start().ok());  // declares and binds the queue
    REQUIRE(first.Shutdown(5s).ok());
  }
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()),
                               ChannelOptions{.default_timeout = std::chrono::milliseconds(500)});
  ClientContext no_deadline;
  REQUIRE(testing::CallNotify(*channel, spec, &no_deadline, "kept").ok());
  ClientContext with_deadline;
  with_deadline.set_timeout(500ms);
  REQUIRE(testing::CallNotify(*channel, spec, &with_deadline, "expired").ok());
  // The consumer stays away four times the default timeout (the behaviour is about time).
  std::this_thread::sleep_for(2s);
  Server second(server_broker);
  REQUIRE(second.RegisterService(&service).ok());
  REQUIRE(second.Start().ok());
  bool got = testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !received.empty();
  });
  // One more message behind them shows the queue was drained in order.
  ClientContext marker;
  REQUIRE(testing::CallNotify(*channel, spec, &marker, "marker").ok());
  bool drained = testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !received.empty() && received.back() == "marker";
  });
  REQUIRE(second.Shutdown(5s).ok());
  server_broker->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).IgnoreError();
  server_broker->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).IgnoreError();

  CHECK(got);
  CHECK(drained);
  std::lock_guard<std::mutex> lock(mu);
  CHECK(received == std::vector<std::string>{"kept", "marker"});
}

}  // namespace
}  // namespace brokrpc
