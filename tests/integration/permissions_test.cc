// Least privilege on the private broker: users with only the permissions docs/deployment.md
// lists can serve and call; a refusal (403 ACCESS_REFUSED, a vhost the user may not open) is
// PERMISSION_DENIED naming what was refused, at once, never retried forever, and the password
// never appears.
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/stream_service.h"
#include "support/test_support.h"
#include "transport/broker_url.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitCtl;
using testing::RabbitUrl;
using testing::UniqueName;

// "." and other regex metacharacters of a RabbitMQ name, escaped for a permission regex.
std::string Escape(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The permissions docs/deployment.md ("Least privilege") documents, for one service on exchange
// `exchange` whose method queues start with `queue_prefix` ("/<package>/<Service>/").
struct Permissions {
  std::string configure, write, read;
};
Permissions ServerPermissions(const std::string& exchange, const std::string& queue_prefix) {
  std::string all =
      "^(" + Escape(exchange) + "|" + Escape(queue_prefix) + ".*|stream\\..*|reflection\\..*)$";
  return {all, all, all};
}
// One user serving two services: the alternatives of both.
Permissions Combined(const Permissions& a, const Permissions& b) {
  auto join = [](const std::string& x, const std::string& y) {
    return "^(" + x.substr(1, x.size() - 2) + "|" + y.substr(1, y.size() - 2) + ")$";
  };
  return {join(a.configure, b.configure), join(a.write, b.write), join(a.read, b.read)};
}
Permissions ClientPermissions(const std::string& exchange) {
  std::string all = "^(" + Escape(exchange) + "|response\\..*)$";
  return {all, all, all};
}

// A RabbitMQ user on vhost "/" with the given permissions (none: no access to the vhost),
// deleted at the end of the scope. Its password is random and must never show in an error.
class TestUser {
 public:
  explicit TestUser(std::optional<Permissions> permissions)
      : name_(UniqueName("brokrpc-user")), password_(UniqueName("Pw")) {
    RabbitCtl("add_user '" + name_ + "' '" + password_ + "'");
    if (permissions) SetPermissions(*permissions);
  }
  ~TestUser() {
    // No REQUIRE in a destructor: a failed clean-up leaves a uniquely named user behind.
    std::string cmd = std::string(std::getenv("BROKRPC_RABBITMQ_SCRIPT")
                                      ? std::getenv("BROKRPC_RABBITMQ_SCRIPT")
                                      : BROKRPC_SOURCE_DIR "/scripts/rabbitmq") +
                      " ctl delete_user '" + name_ + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not delete %s\n", name_.c_str());
  }
  TestUser(const TestUser&) = delete;
  TestUser& operator=(const TestUser&) = delete;

  void SetPermissions(const Permissions& p) {
    RabbitCtl("set_permissions -p / '" + name_ + "' '" + p.configure + "' '" + p.write + "' '" +
              p.read + "'");
  }
  void ClearPermissions() { RabbitCtl("clear_permissions -p / '" + name_ + "'"); }

  // The test broker's URL with this user's credentials, plus `query`.
  std::string Url(const std::string& query = "") const {
    auto url = internal::ParseBrokerUrl(RabbitUrl());
    REQUIRE(url.ok());
    std::string out = "amqp://" + name_ + ":" + password_ + "@" + url->hosts[0].host + ":" +
                      std::to_string(url->hosts[0].port) + "/";
    return query.empty() ? out : out + "?" + query;
  }
  const std::string& name() const { return name_; }
  const std::string& password() const { return password_; }

 private:
  std::string name_;
  std::string password_;
};

std::shared_ptr<Broker> Make(const std::string& url) {
  auto broker = Broker::Create(url);
  REQUIRE(broker.ok());
  return *broker;
}

// A service on a unique exchange and package; its method queues start with queue_prefix().
struct TestService {
  std::string package = UniqueName("perm");
  EchoSpec spec{UniqueName("perm-x"), package};
  std::string queue_prefix() const { return "/" + package + "/"; }
};

Status Call(Channel& channel, const EchoSpec& spec, ClientContext* ctx) {
  std::string reply;
  return testing::CallEcho(*&channel, spec, ctx, "hi", &reply);
}

TEST_CASE("permissions: the documented regexes are enough to serve and to call", "[permissions]") {
  TestService svc;
  std::string streams_exchange = UniqueName("perm-sx");
  testing::StreamSpec streams_spec(streams_exchange);
  TestUser server_user(Combined(ServerPermissions(svc.spec.exchange(), svc.queue_prefix()),
                                ServerPermissions(streams_exchange, "/test/Streams/")));
  TestUser client_user(
      Combined(ClientPermissions(svc.spec.exchange()), ClientPermissions(streams_exchange)));
  EchoService service(svc.spec);
  testing::StreamService streams(streams_spec);
  Server server(Make(server_user.Url()), ServerOptions{.reflection = true});
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.RegisterService(&streams).ok());
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  auto channel = CreateChannel(Make(client_user.Url()));
  {
    ClientContext ctx;
    ctx.set_timeout(20s);
    testing::Int32Value req;
    req.set_value(3);
    auto reader = internal::ServerStreamingCall<testing::Int32Value, testing::Int32Value>(
        channel.get(), streams_spec.spec(), testing::StreamSpec::kRange, &ctx, req);
    testing::Int32Value v;
    int n = 0;
    while (reader->Read(&v)) ++n;
    Status s = reader->Finish();
    INFO(s.ToString());
    CHECK(s.ok());
    CHECK(n == 3);
  }
  for (int i = 0; i < 3; ++i) {
    ClientContext ctx;
    ctx.set_timeout(20s);
    Status s = Call(*channel, svc.spec, &ctx);
    INFO(s.ToString());
    CHECK(s.ok());
  }
  ClientContext notify;
  CHECK(testing::CallNotify(*channel, svc.spec, &notify, "n").ok());
  REQUIRE(server.Shutdown(std::chrono::system_clock::now() + 10s).ok());
}

TEST_CASE("permissions: a client that may not write to the exchange gets PERMISSION_DENIED",
          "[permissions]") {
  TestService svc;
  EchoService service(svc.spec);
  Server server(testing::ConnectedBroker(RabbitUrl()));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  Permissions p = ClientPermissions(svc.spec.exchange());
  p.write = "^response\\..*$";  // may bind its reply queue, may not publish to the exchange
  TestUser user(p);
  RetryPolicy retry;
  retry.max_attempts = 5;  // retries UNAVAILABLE: a refusal must not be one
  auto channel = CreateChannel(Make(user.Url()), ChannelOptions{.retry_policy = retry});
  for (int i = 0; i < 2; ++i) {
    ClientContext ctx;
    ctx.set_timeout(60s);
    ctx.set_wait_for_ready(true);
    auto start = std::chrono::steady_clock::now();
    Status s = Call(*channel, svc.spec, &ctx);
    auto took = std::chrono::steady_clock::now() - start;
    INFO(s.ToString());
    CHECK(s.code() == StatusCode::kPermissionDenied);
    CHECK_THAT(s.message(), Catch::Contains("'" + svc.spec.exchange() + "'"));
    CHECK_THAT(s.message(), !Catch::Contains(user.password()));
    CHECK(took < 30s);  // settled by the refusal, not by the 60 s deadline
  }
  CHECK(service.echo_calls == 0);
}

TEST_CASE(
    "permissions: a server that may not configure its queue fails Start with "
    "PERMISSION_DENIED naming the queue",
    "[permissions]") {
  TestService svc;
  Permissions p = ServerPermissions(svc.spec.exchange(), svc.queue_prefix());
  p.configure = "^" + Escape(svc.spec.exchange()) + "$";
  TestUser user(p);
  EchoService service(svc.spec);
  Server server(Make(user.Url()));
  REQUIRE(server.RegisterService(&service).ok());
  Status s = server.Start();
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(s.message(), Catch::Contains("'" + svc.spec.routing_key(EchoSpec::kEcho) + "'"));
  CHECK_THAT(s.message(), !Catch::Contains(user.password()));
  CHECK_FALSE(server.is_running());
}

TEST_CASE("permissions: a user without access to the vhost fails Connect clearly",
          "[permissions]") {
  TestUser user(std::nullopt);
  auto broker = Make(user.Url("connection_timeout=10"));
  auto start = std::chrono::steady_clock::now();
  Status s = broker->Connect();
  CHECK(std::chrono::steady_clock::now() - start < 9s);  // one refusal, no retry loop
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(s.message(), Catch::Contains("vhost '/'") && Catch::Contains(user.name()));
  CHECK_THAT(s.message(), !Catch::Contains(user.password()));
  CHECK_FALSE(broker->is_connected());
  // A channel's first call reports the same refusal.
  TestService svc;
  auto channel = CreateChannel(broker);
  ClientContext ctx;
  ctx.set_timeout(20s);
  Status call = Call(*channel, svc.spec, &ctx);
  CHECK(call.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(call.message(), !Catch::Contains(user.password()));
}

TEST_CASE("permissions: a refused reconnect ends the retries and fails calls with the refusal",
          "[permissions]") {
  TestService svc;
  EchoService service(svc.spec);
  Server server(testing::ConnectedBroker(RabbitUrl()));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  TestUser user(ClientPermissions(svc.spec.exchange()));
  std::string conn_name = UniqueName("perm-conn");
  auto broker =
      Make(user.Url("name=" + conn_name + "&reconnect_initial_ms=50&reconnect_max_ms=200"));
  auto channel = CreateChannel(broker);
  {
    ClientContext ctx;
    ctx.set_timeout(20s);
    Status s = Call(*channel, svc.spec, &ctx);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  user.ClearPermissions();
  RabbitCtl("close_connection '" + testing::ConnectionPid(conn_name) + "' 'permissions revoked'");
  REQUIRE(testing::Eventually([&] { return !broker->is_connected(); }));
  // The reconnect is refused (no access to the vhost any more): a call that waits for the
  // connection ends with that refusal, long before its deadline.
  ClientContext ctx;
  ctx.set_timeout(60s);
  ctx.set_wait_for_ready(true);
  auto start = std::chrono::steady_clock::now();
  Status s = Call(*channel, svc.spec, &ctx);
  INFO(s.ToString());
  CHECK(std::chrono::steady_clock::now() - start < 30s);
  CHECK(s.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(s.message(), Catch::Contains("vhost '/'"));
  CHECK_THAT(s.message(), !Catch::Contains(user.password()));
  CHECK_FALSE(broker->is_connected());
  // Given access again, an explicit Connect() comes back.
  user.SetPermissions(ClientPermissions(svc.spec.exchange()));
  Status again = broker->Connect();
  INFO(again.ToString());
  CHECK(again.ok());
  ClientContext after;
  after.set_timeout(20s);
  Status s2 = Call(*channel, svc.spec, &after);
  INFO(s2.ToString());
  CHECK(s2.ok());
}

}  // namespace
}  // namespace brokrpc
