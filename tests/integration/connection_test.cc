// Connection behaviour on a real broker: errors, heartbeats, latency of publish-from-handler.
#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>
#include <vector>

#include "brokrpc/broker.h"
#include "support/test_support.h"
#include "transport/broker_url.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::Latch;
using testing::RabbitUrl;
using testing::UniqueName;

std::string WithQuery(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

TEST_CASE("connection: refused connection names host and port", "[connection]") {
  auto broker = Broker::Create("amqp://guest:secretpw@127.0.0.1:1/?connection_timeout=2");
  REQUIRE(broker.ok());
  Status s = (*broker)->Connect();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), Catch::Contains("127.0.0.1:1"));
  CHECK_THAT(s.message(), Catch::Contains("Connection refused"));  // the reason, not just "error"
  CHECK_THAT(s.message(), !Catch::Contains("secretpw"));
  CHECK_FALSE((*broker)->is_connected());
}

TEST_CASE("connection: several hosts: a dead one is skipped on connect and on reconnect",
          "[connection]") {
  auto url = internal::ParseBrokerUrl(RabbitUrl());
  REQUIRE(url.ok());
  std::string live = url->hosts[0].host + ":" + std::to_string(url->hosts[0].port);
  // Nothing listens on port 1 of loopback: the first host refuses every time.
  std::string name = UniqueName("multi");
  auto broker = ConnectedBroker("amqp://guest:guest@127.0.0.1:1," + live +
                                "/?connection_timeout=2&name=" + name + "&reconnect_initial_ms=50");
  std::string ex = UniqueName("multi-ex");
  std::string queue = UniqueName("multi-q");  // not auto-delete: it outlives the lost connection
  Latch after(1);
  auto consumer = broker->Consume(BindingOptions{.exchange = {.name = ex, .auto_delete = true},
                                                 .binding_keys = {"k"},
                                                 .queue = {.name = queue}},
                                  [&](Message& m) {
                                    if (m.body == "after") after.CountDown();
                                    return ConsumeResult::Ack();
                                  });
  REQUIRE(consumer.ok());
  // The broker drops the connection; the reconnect tries 127.0.0.1:1 first again, then the
  // live host, and re-subscribes the consumer, which gets what was sent meanwhile.
  testing::RabbitCtl("close_connection '" + testing::ConnectionPid(name) + "' 'multi-host'");
  auto sender = ConnectedBroker(RabbitUrl());
  auto pub = sender->CreatePublisher({.exchange = {.name = ex, .auto_delete = true}});
  REQUIRE(pub.ok());
  REQUIRE((*pub)->Publish(Message{.body = "after", .routing_key = "k"}).ok());
  CHECK(after.Wait(30s));
  CHECK(broker->is_connected());
  consumer->reset();
  CHECK(sender->DeleteQueue(queue).ok());

  // All hosts dead: the error names each of them.
  auto dead = Broker::Create("amqp://guest:pw@127.0.0.1:1,127.0.0.1:2/?connection_timeout=2");
  REQUIRE(dead.ok());
  Status s = (*dead)->Connect();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), Catch::Contains("127.0.0.1:1") && Catch::Contains("127.0.0.1:2"));
}

TEST_CASE("connection: a refused login is UNAUTHENTICATED without the password", "[connection]") {
  auto url = internal::ParseBrokerUrl(RabbitUrl());
  REQUIRE(url.ok());
  std::string bad = "amqp://guest:wrong-pass-xyz@" + url->hosts[0].host + ":" +
                    std::to_string(url->hosts[0].port) + "/";
  auto broker = Broker::Create(bad);
  REQUIRE(broker.ok());
  Status s = (*broker)->Connect();
  CHECK(s.code() == StatusCode::kUnauthenticated);
  CHECK_THAT(s.message(), Catch::Contains("guest") && !Catch::Contains("wrong-pass-xyz"));
  CHECK((*broker)->redacted_url().find("wrong-pass-xyz") == std::string::npos);
}

TEST_CASE("connection: the heartbeat is negotiated from the URL", "[connection]") {
  auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "heartbeat=7"));
  CHECK(broker->negotiated_heartbeat() == 7s);
  auto none = ConnectedBroker(WithQuery(RabbitUrl(), "heartbeat=0"));
  CHECK(none.get()->negotiated_heartbeat() == 0s);
}

TEST_CASE("connection: an idle connection with heartbeats stays up", "[connection]") {
  auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "heartbeat=1"));
  // Three heartbeat intervals without traffic: both sides must have sent heartbeats. (The idle
  // time is the behaviour under test, not synchronisation.)
  std::this_thread::sleep_for(3500ms);
  CHECK(broker->is_connected());
  CHECK(broker->DeclareExchange({.name = UniqueName("hb"), .auto_delete = true}).ok());
}

TEST_CASE("connection: a silent broker is detected within two heartbeat intervals",
          "[connection][slow]") {
  std::string pid_out = testing::RabbitCtl("eval 'list_to_integer(os:getpid()).'");
  int pid = std::stoi(pid_out);
  REQUIRE(pid > 1);
  auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "heartbeat=1"));
  REQUIRE(kill(pid, SIGSTOP) == 0);
  auto start = std::chrono::steady_clock::now();
  bool lost = testing::Eventually([&] { return !broker->is_connected(); }, 10s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(kill(pid, SIGCONT) == 0);
  CHECK(lost);
  CHECK(elapsed < 3500ms);  // 2 x 1 s heartbeat, plus the loop's wake-up granularity
  REQUIRE(testing::Eventually([&] { return broker->Connect().ok(); }, 30s));
}

TEST_CASE("connection: a publish from a handler goes out at once (echo median < 5 ms)",
          "[connection][latency]") {
  auto server = ConnectedBroker(RabbitUrl());
  auto client = ConnectedBroker(RabbitUrl());
  std::string ex = UniqueName("echo");
  auto echo_pub = std::move(*server->CreatePublisher({.exchange = {.name = ex}}));
  auto echo =
      server->Consume(BindingOptions{.exchange = {.name = ex, .auto_delete = true},
                                     .binding_keys = {"ping"},
                                     .queue = {.name = UniqueName("ping"), .auto_delete = true}},
                      [&](Message& m) {
                        Message pong{.body = m.body, .routing_key = "pong"};
                        echo_pub->PublishAsync(std::move(pong), [](Status) {});
                        return ConsumeResult::Ack();
                      });
  REQUIRE(echo.ok());
  std::mutex mu;
  std::condition_variable cv;
  int received = 0;
  auto pongs =
      client->Consume(BindingOptions{.exchange = {.name = ex, .auto_delete = true},
                                     .binding_keys = {"pong"},
                                     .queue = {.name = UniqueName("pong"), .auto_delete = true}},
                      [&](Message&) {
                        std::lock_guard<std::mutex> lock(mu);
                        ++received;
                        cv.notify_one();
                        return ConsumeResult::Ack();
                      });
  REQUIRE(pongs.ok());
  auto ping_pub =
      std::move(*client->CreatePublisher({.exchange = {.name = ex}, .confirms = false}));
  std::vector<double> rtt_us;
  for (int i = 0; i < 1000; ++i) {
    auto start = std::chrono::steady_clock::now();
    REQUIRE(ping_pub->Publish(Message{.body = "p", .routing_key = "ping"}).ok());
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return received == i + 1; }));
    rtt_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(rtt_us.begin(), rtt_us.end());
  double median = rtt_us[rtt_us.size() / 2];
  INFO("median round trip " << median << " us, p99 " << rtt_us[990] << " us");
  CHECK(median < 5000.0);
  WARN("publish-from-handler echo: median " << median << " us, p99 " << rtt_us[990] << " us");
}

}  // namespace
}  // namespace brokrpc

#include <mutex>

#include "brokrpc/logging.h"

namespace brokrpc {
namespace {

// Keeps every log line (all levels) while installed.
class KeepAllLogger : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu);
    text += std::string(message) + "\n";
  }
  std::mutex mu;
  std::string text;
};

TEST_CASE("connection: credentials never appear in errors or log lines", "[connection]") {
  auto logger = std::make_shared<KeepAllLogger>();
  SetLogger(logger);
  auto url = internal::ParseBrokerUrl(RabbitUrl());
  REQUIRE(url.ok());
  std::string host = url->hosts[0].host + ":" + std::to_string(url->hosts[0].port);
  std::vector<Status> errors;
  // A refused login, a refused port, a lost connection that reconnects.
  errors.push_back((*Broker::Create("amqp://guest:Sekr3tPassw0rd@" + host + "/"))->Connect());
  errors.push_back(
      (*Broker::Create("amqp://guest:Sekr3tPassw0rd@127.0.0.1:1/?connection_timeout=1"))
          ->Connect());
  errors.push_back(Broker::Create("amqp://guest:Sekr3tPassw0rd@h:bad/").status());
  std::string name = UniqueName("cred");
  auto broker = ConnectedBroker(WithQuery(RabbitUrl(), "name=" + name));
  testing::RabbitCtl("close_connection '" + testing::ConnectionPid(name) + "' 'credentials'");
  REQUIRE(testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(logger->mu);
    return logger->text.find("restored") != std::string::npos;
  }));
  SetLogger(nullptr);
  for (const auto& s : errors) {
    CHECK_FALSE(s.ok());
    CHECK_THAT(s.message(), !Catch::Contains("Sekr3tPassw0rd"));
  }
  std::lock_guard<std::mutex> lock(logger->mu);
  CHECK_THAT(logger->text, Catch::Contains("connection to") && Catch::Contains("***"));
  CHECK_THAT(logger->text, !Catch::Contains("Sekr3tPassw0rd"));
  CHECK_THAT(logger->text, !Catch::Contains(":guest@"));  // the test broker's own password
}

}  // namespace
}  // namespace brokrpc
