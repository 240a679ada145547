// Hostile input at a server queue: every bad message is answered with an error or rejected once
// (never requeued forever), the server keeps serving, memory stays flat; message size limits.
#include <catch2/catch.hpp>
#include <random>

#include "base/uuid.h"
#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitUrl;
using testing::UniqueName;

// Counts what arrives on a queue bound to `exchange` with `key`.
struct Counter {
  std::atomic<int> count{0};
  std::atomic<int> invalid_argument{0};
  std::unique_ptr<Consumer> consumer;
  Counter(Broker& broker, const std::string& exchange, ExchangeType type, const std::string& key,
          const std::string& queue) {
    auto c = broker.Consume(
        BindingOptions{.exchange = {.name = exchange, .type = type, .auto_delete = true},
                       .binding_keys = {key},
                       .queue = {.name = queue, .auto_delete = true, .prefetch_count = 500}},
        [this](Message& m) {
          const FieldValue* code = m.properties.headers.Find("x-brokrpc-status");
          if (code && code->get_if<int64_t>() && *code->get_if<int64_t>() == 3) {
            ++invalid_argument;
          }
          ++count;
          return ConsumeResult::Ack();
        });
    REQUIRE(c.ok());
    consumer = std::move(*c);
  }
};

TEST_CASE("hostile input: 10,000 bad messages are each answered or rejected once", "[hostile]") {
  auto observer = ConnectedBroker(RabbitUrl());
  std::string dlx = UniqueName("dlx");
  const std::string dead_queue = UniqueName("dead");
  Counter dead(*observer, dlx, ExchangeType::kFanout, "#", dead_queue);
  EchoSpec spec(UniqueName("hostile"), UniqueName("hostile"), true,
                FieldTable{{"x-dead-letter-exchange", dlx}});
  EchoService service(spec);
  Server server(ConnectedBroker(RabbitUrl()), ServerOptions{.prefetch_count = 200});
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  std::string reply_key = "response.hostile." + internal::NewUuidHex();
  Counter replies(*observer, spec.exchange(), ExchangeType::kDirect, reply_key, reply_key);

  auto pub = std::move(*observer->CreatePublisher({.exchange = {.name = spec.exchange()}}));
  std::mt19937 rng(42);
  auto garbage = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  FieldTable huge;
  for (int h = 0; h < 200; ++h) huge.Set("h" + std::to_string(h), std::string(200, 'x'));
  // Sent in batches of 500, each processed before the next, so that the memory measured is the
  // steady state of the server, not the sender's queue.
  constexpr int kMessages = 10000;
  constexpr int kBatch = 500;
  size_t rss_warm = 0;
  int expect_rejected = 0, expect_answered = 0;
  std::vector<std::future<Status>> sent;
  for (int i = 0; i < kMessages; ++i) {
    if (i > 0 && i % kBatch == 0) {
      for (auto& f : sent) REQUIRE(f.get().ok());
      sent.clear();
      REQUIRE(
          testing::Eventually([&] { return dead.count.load() + replies.count.load() >= i; }, 60s));
      if (i == 2 * kBatch) rss_warm = testing::ResidentBytes();
    }
    Message m{.body = garbage(rng() % 256), .routing_key = spec.routing_key(EchoSpec::kEcho)};
    switch (i % 4) {
      case 0:  // no properties at all: not a request
        ++expect_rejected;
        break;
      case 1:  // a wrong content type
        m.properties.content_type = "text/plain";
        break;
      case 2:  // the right types, a truncated / garbage protobuf body
        m.properties.content_type = "application/protobuf";
        m.properties.type = "google.protobuf.StringValue";
        m.body = std::string("\x0a\xff\xff\xff", 4);
        break;
      case 3:  // huge headers and the wrong message type
        m.properties.content_type = "application/protobuf";
        m.properties.type = "evil.Type";
        m.properties.headers = huge;
        break;
    }
    if (i % 4 != 0) {
      m.properties.reply_to = reply_key;
      m.properties.correlation_id = internal::NewUuidHex();
      ++expect_answered;
    }
    sent.push_back(pub->PublishAsync(std::move(m)));
  }
  for (auto& f : sent) REQUIRE(f.get().ok());
  REQUIRE(testing::Eventually([&] { return dead.count.load() + replies.count.load() >= kMessages; },
                              120s));
  // Settled: nothing comes back for a second look. A message in a requeue loop is always in the
  // server's queue (ready, or unacknowledged while retried), so the broker counting that queue
  // empty rules the loop out; the two observer queues empty means the counts are final.
  const std::string server_queue = spec.routing_key(EchoSpec::kEcho);
  REQUIRE(testing::Eventually(
      [&] {
        auto messages = testing::QueueMessages();
        return messages[server_queue] == 0 && messages[reply_key] == 0 && messages[dead_queue] == 0;
      },
      30s));
  CHECK(dead.count.load() == expect_rejected);
  CHECK(replies.count.load() == expect_answered);
  CHECK(replies.invalid_argument.load() == expect_answered);
  CHECK(service.echo_calls.load() == 0);
  size_t rss_after = testing::ResidentBytes();
  INFO("RSS after 1,000 messages " << rss_warm << ", after 10,000 " << rss_after);
#ifndef BROKRPC_SANITIZED  // ASan's quarantine and TSan's shadow keep freed memory resident
  CHECK(rss_after < rss_warm + 16 * 1024 * 1024);
#endif
  WARN("10,000 bad messages: " << dead.count.load() << " rejected (dead-lettered), "
                               << replies.count.load() << " answered INVALID_ARGUMENT; RSS "
                               << rss_warm / 1024 << " KiB after 1,000 -> " << rss_after / 1024
                               << " KiB after 10,000");
  // The server still serves.
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  std::string reply;
  REQUIRE(testing::CallEcho(*channel, spec, &ctx, "still here", &reply).ok());
  CHECK(reply == "echo: still here");
  REQUIRE(server.Shutdown(5s).ok());
}

std::string WithQuery(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

TEST_CASE("hostile input: the maximum message size holds on both sides", "[hostile]") {
  EchoSpec spec(UniqueName("big"));
  EchoService service(spec);
  Server server(ConnectedBroker(WithQuery(RabbitUrl(), "max_message_size=1024")));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  // The sender refuses before sending.
  auto small_client =
      CreateChannel(ConnectedBroker(WithQuery(RabbitUrl(), "max_message_size=100")));
  ClientContext c1;
  Status refused = testing::CallEcho(*small_client, spec, &c1, std::string(500, 'x'), nullptr);
  CHECK(refused.code() == StatusCode::kResourceExhausted);
  CHECK_THAT(refused.message(), Catch::Contains("max_message_size"));
  // The receiver drops the body and answers.
  auto client = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext c2;
  Status answered = testing::CallEcho(*client, spec, &c2, std::string(5000, 'x'), nullptr);
  CHECK(answered.code() == StatusCode::kResourceExhausted);
  CHECK_THAT(answered.message(), Catch::Contains("max_message_size"));
  CHECK(service.echo_calls.load() == 0);
  ClientContext c3;
  std::string reply;
  REQUIRE(testing::CallEcho(*client, spec, &c3, "small", &reply).ok());
  REQUIRE(server.Shutdown(5s).ok());
}

}  // namespace
}  // namespace brokrpc
