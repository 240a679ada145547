#include "transport/broker_url.h"

#include <catch2/catch.hpp>

namespace brokrpc::internal {
namespace {

TEST_CASE("broker url: full amqp URL", "[url]") {
  auto url = ParseBrokerUrl(
      "amqp://alice:s%40cret@rabbit.example:5673/prod?heartbeat=10&connection_timeout=5&name=app");
  REQUIRE(url.ok());
  CHECK(url->scheme == BrokerUrl::Scheme::kAmqp);
  REQUIRE(url->hosts.size() == 1);
  CHECK(url->hosts[0].host == "rabbit.example");
  CHECK(url->hosts[0].port == 5673);
  CHECK(url->user == "alice");
  CHECK(url->password == "s@cret");
  CHECK(url->vhost == "prod");
  CHECK(url->heartbeat == std::chrono::seconds(10));
  CHECK(url->connection_timeout == std::chrono::seconds(5));
  CHECK(url->connection_name == "app");
}

TEST_CASE("broker url: defaults", "[url]") {
  auto url = ParseBrokerUrl("amqp://localhost");
  REQUIRE(url.ok());
  CHECK(url->hosts[0].port == 5672);
  CHECK(url->user == "guest");
  CHECK(url->password == "guest");
  CHECK(url->vhost == "/");
  CHECK(url->heartbeat == std::chrono::seconds(60));
  auto tls = ParseBrokerUrl("amqps://h/%2F?cacertfile=/ca.pem&verify=false");
  REQUIRE(tls.ok());
  CHECK(tls->scheme == BrokerUrl::Scheme::kAmqps);
  CHECK(tls->hosts[0].port == 5671);
  CHECK(tls->vhost == "/");
  CHECK(tls->ca_cert_file == "/ca.pem");
  CHECK_FALSE(tls->verify_peer);
}

TEST_CASE("broker url: several hosts", "[url]") {
  auto url = ParseBrokerUrl("amqp://u:p@h1:1001,h2,[::1]:1003/");
  REQUIRE(url.ok());
  REQUIRE(url->hosts.size() == 3);
  CHECK(url->hosts[0].port == 1001);
  CHECK(url->hosts[1].host == "h2");
  CHECK(url->hosts[1].port == 5672);
  CHECK(url->hosts[2].host == "::1");
  CHECK(url->hosts[2].port == 1003);
}

TEST_CASE("broker url: memory", "[url]") {
  auto url = ParseBrokerUrl("memory://tests");
  REQUIRE(url.ok());
  CHECK(url->scheme == BrokerUrl::Scheme::kMemory);
  CHECK(url->memory_name == "tests");
  CHECK(ParseBrokerUrl("memory://")->memory_name.empty());
}

TEST_CASE("broker url: errors name the bad part and never the password", "[url]") {
  struct Case {
    const char* url;
    const char* expect;
  };
  const Case cases[] = {
      {"amqp//host", "missing scheme"},
      {"http://host", "unsupported scheme 'http'"},
      {"amqp://u:topsecret@host:99999/", "port must be an integer"},
      {"amqp://u:topsecret@host:abc/", "port must be an integer"},
      {"amqp://u:topsecret@/", "missing host"},
      {"amqp://u:topsecret@h/?heartbeat=x", "heartbeat must be an integer"},
      {"amqp://u:topsecret@h/?bogus=1", "unknown query parameter 'bogus'"},
      {"amqp://u:top%zzsecret@h/", "bad percent-escape in the password"},
      {"amqp://u:topsecret@h/a/b", "one path segment"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    auto url = ParseBrokerUrl(c.url);
    REQUIRE_FALSE(url.ok());
    CHECK(url.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(url.status().message(), Catch::Contains(c.expect));
    CHECK_THAT(url.status().message(), !Catch::Contains("topsecret"));
  }
}

TEST_CASE("broker url: Redacted hides the password", "[url]") {
  auto url = ParseBrokerUrl("amqp://bob:hunter2@h:5672/v");
  REQUIRE(url.ok());
  CHECK(url->Redacted() == "amqp://bob:***@h:5672/v");
}

}  // namespace
}  // namespace brokrpc::internal
