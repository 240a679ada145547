// Messaging behaviour that both transports must show: compiled into the unit suite (memory://)
// and into the integration suite (a real RabbitMQ), so the same bodies run against both.
#include <google/protobuf/wrappers.pb.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/middlewares.h"
#include "messaging/broker_core.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::Latch;
using testing::UniqueName;

// Collects deliveries of one consumer.
struct Inbox {
  std::mutex mu;
  std::vector<Message> messages;
  void Add(const Message& m) {
    std::lock_guard<std::mutex> lock(mu);
    messages.push_back(m);
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return messages.size();
  }
};

BindingOptions Binding(const std::string& exchange, const std::string& queue,
                       std::vector<std::string> keys, ExchangeType type = ExchangeType::kDirect) {
  return BindingOptions{.exchange = {.name = exchange, .type = type, .auto_delete = true},
                        .binding_keys = std::move(keys),
                        .queue = {.name = queue, .auto_delete = true}};
}

TEST_CASE("contract: declare, bind, publish and consume round-trip body and properties",
          "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  Inbox inbox;
  Latch got(1);
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"greet"}), [&](Message& m) {
    inbox.Add(m);
    got.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  REQUIRE(pub.ok());
  Message m{.body = std::string("hello\0world", 11), .routing_key = "greet"};
  m.properties.content_type = "text/plain";
  m.properties.correlation_id = "corr-1";
  m.properties.reply_to = "somewhere";
  m.properties.priority = 3;
  m.properties.delivery_mode = DeliveryMode::kPersistent;
  m.properties.type = "t";
  m.properties.app_id = "tests";
  m.properties.headers.Set("tenant", "acme");
  m.properties.headers.Set("attempt", int64_t{3});
  m.properties.headers.Set("nested", FieldTable{{"flag", true}});
  Status published = (*pub)->Publish(m);
  INFO(published.ToString());
  REQUIRE(published.ok());
  REQUIRE(got.Wait());
  const Message& r = inbox.messages.at(0);
  CHECK(r.body == m.body);
  CHECK(r.properties.content_type == "text/plain");
  CHECK(r.properties.correlation_id == "corr-1");
  CHECK(r.properties.reply_to == "somewhere");
  CHECK(r.properties.priority == 3);
  CHECK(r.properties.delivery_mode == DeliveryMode::kPersistent);
  CHECK(r.properties.type == "t");
  CHECK(r.properties.app_id == "tests");
  CHECK(r.properties.message_id.has_value());  // filled in by the publisher
  CHECK(r.properties.timestamp.has_value());
  REQUIRE(r.properties.headers.FindString("tenant") != nullptr);
  CHECK(*r.properties.headers.FindString("tenant") == "acme");
  REQUIRE(r.properties.headers.Find("attempt") != nullptr);
  CHECK(*r.properties.headers.Find("attempt")->get_if<int64_t>() == 3);
  REQUIRE(r.properties.headers.Find("nested") != nullptr);
  CHECK(r.properties.headers.Find("nested")->get_if<FieldTable>()->Find("flag") != nullptr);
  REQUIRE(r.delivery.has_value());
  CHECK(r.delivery->exchange == ex);
  CHECK(r.delivery->routing_key == "greet");
  CHECK_FALSE(r.delivery->redelivered);
  CHECK(r.exchange == ex);
  CHECK(r.routing_key == "greet");
}

TEST_CASE("contract: handlers run on the pool, never on the transport thread", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  std::atomic<bool> on_transport{true};
  Latch got(1);
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}), [&](Message&) {
    on_transport = brokrpc::internal::BrokerAccess::Core(*broker).transport().OnTransportThread();
    got.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  REQUIRE((*pub)->Publish(Message{.body = "x", .routing_key = "k"}).ok());
  REQUIRE(got.Wait());
  CHECK_FALSE(on_transport.load());
}

TEST_CASE("contract: the prefetch count bounds concurrent handlers", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl(), {.handler_threads = 8});
  std::string ex = UniqueName("ex");
  std::atomic<int> running{0}, max_running{0};
  Latch all(20);
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  int released = 0;
  BindingOptions binding = Binding(ex, UniqueName("q"), {"k"});
  binding.queue.prefetch_count = 3;
  auto consumer = broker->Consume(binding, [&](Message&) {
    int now = ++running;
    int prev = max_running.load();
    while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
    }
    {
      std::unique_lock<std::mutex> lock(gate_mu);
      gate_cv.wait_for(lock, 5s, [&] { return released > 0; });
      --released;
    }
    --running;
    all.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  for (int i = 0; i < 20; ++i) {
    REQUIRE((*pub)->Publish(Message{.body = std::to_string(i), .routing_key = "k"}).ok());
  }
  // Three handlers start and block; no fourth may start until one finishes.
  REQUIRE(testing::Eventually([&] { return running.load() == 3; }));
  for (int i = 0; i < 20; ++i) {
    {
      std::lock_guard<std::mutex> lock(gate_mu);
      ++released;
    }
    gate_cv.notify_all();
  }
  REQUIRE(all.Wait());
  CHECK(max_running.load() == 3);
}

TEST_CASE("contract: reject drops, retry redelivers after the delay, ack settles", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  std::mutex mu;
  std::vector<std::pair<std::string, bool>> seen;  // body, redelivered
  Latch done(3);                                   // "reject" once, "retry" twice
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}), [&](Message& m) {
    bool redelivered = m.delivery->redelivered;
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.emplace_back(m.body, redelivered);
    }
    done.CountDown();
    if (m.body == "reject") return ConsumeResult::Reject();
    if (!redelivered) return ConsumeResult::Retry(50ms);
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  REQUIRE((*pub)->Publish(Message{.body = "reject", .routing_key = "k"}).ok());
  auto start = std::chrono::steady_clock::now();
  REQUIRE((*pub)->Publish(Message{.body = "retry", .routing_key = "k"}).ok());
  REQUIRE(done.Wait());
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 50ms);
  // Nothing more arrives: the rejected message is gone, the retried one was acked.
  REQUIRE((*consumer)->Cancel(5s).ok());
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(seen.size() == 3);
  CHECK(std::count(seen.begin(), seen.end(), std::make_pair(std::string("reject"), false)) == 1);
  CHECK(std::count(seen.begin(), seen.end(), std::make_pair(std::string("retry"), false)) == 1);
  CHECK(std::count(seen.begin(), seen.end(), std::make_pair(std::string("retry"), true)) == 1);
}

TEST_CASE("contract: an unroutable mandatory publish fails with UNAVAILABLE (NO_ROUTE)",
          "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  REQUIRE(broker->DeclareExchange({.name = ex, .auto_delete = false}).ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}, .mandatory = true});
  Status s = (*pub)->Publish(Message{.body = "lost", .routing_key = "nobody"});
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), Catch::Contains("312") && Catch::Contains("NO_ROUTE") &&
                              Catch::Contains(ex) && Catch::Contains("nobody"));
  // Without mandatory the broker drops it silently: the publish is confirmed.
  auto plain = broker->CreatePublisher({.exchange = {.name = ex}});
  CHECK((*plain)->Publish(Message{.body = "lost", .routing_key = "nobody"}).ok());
  REQUIRE(broker->DeleteExchange(ex).ok());
}

TEST_CASE("contract: pipelined confirms all arrive", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  std::atomic<int> consumed{0};
  Latch all(500);
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}), [&](Message&) {
    ++consumed;
    all.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < 500; ++i) {
    futures.push_back((*pub)->PublishAsync(Message{.body = std::to_string(i), .routing_key = "k"}));
  }
  int ok = 0;
  for (auto& f : futures) ok += f.get().ok() ? 1 : 0;
  CHECK(ok == 500);
  REQUIRE(all.Wait());
  CHECK(consumed.load() == 500);
}

TEST_CASE("contract: a mismatched redeclare is 406 naming the flags", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  REQUIRE(broker->DeclareExchange({.name = ex, .durable = false, .auto_delete = true}).ok());
  Status s = broker->DeclareExchange({.name = ex, .durable = true, .auto_delete = true});
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(s.message(), Catch::Contains("406") && Catch::Contains("PRECONDITION_FAILED") &&
                              Catch::Contains("durable") && Catch::Contains(ex) &&
                              Catch::Contains("we asked for type=direct durable=true"));
  // The connection survives the channel error.
  CHECK(broker->DeclareExchange({.name = ex, .durable = false, .auto_delete = true}).ok());
  std::string q = UniqueName("q");
  REQUIRE(broker->DeclareQueue({.name = q, .auto_delete = false}).ok());
  auto qs = broker->DeclareQueue({.name = q, .durable = true});
  CHECK(qs.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(qs.status().message(), Catch::Contains("durable"));
  REQUIRE(broker->DeleteQueue(q).ok());
  REQUIRE(broker->DeleteExchange(ex).ok());
}

TEST_CASE("contract: binding to the default exchange is refused before anything is sent",
          "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  auto consumer =
      broker->Consume(BindingOptions{.binding_keys = {"k"}, .queue = {.name = UniqueName("q")}},
                      [](Message&) { return ConsumeResult::Ack(); });
  REQUIRE_FALSE(consumer.ok());
  CHECK(consumer.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(consumer.status().message(), Catch::Contains("default exchange"));
  Status declared = broker->DeclareExchange({});
  CHECK(declared.code() == StatusCode::kPermissionDenied);
}

TEST_CASE("contract: a server-named queue on the default exchange", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  Latch got(1);
  std::string body;
  auto consumer = broker->Consume(BindingOptions{.queue = {.exclusive = true, .auto_delete = true}},
                                  [&](Message& m) {
                                    body = m.body;
                                    got.CountDown();
                                    return ConsumeResult::Ack();
                                  });
  REQUIRE(consumer.ok());
  const std::string& name = (*consumer)->queue_name();
  CHECK_FALSE(name.empty());
  auto pub = broker->CreatePublisher();
  REQUIRE((*pub)->Publish(Message{.body = "direct", .routing_key = name}).ok());
  REQUIRE(got.Wait());
  CHECK(body == "direct");
}

TEST_CASE("contract: fanout and topic routing", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string fan = UniqueName("fan");
  std::string topic = UniqueName("topic");
  Inbox a, b, t;
  Latch fan_got(2), topic_got(2);
  auto ca = broker->Consume(Binding(fan, UniqueName("qa"), {"ignored"}, ExchangeType::kFanout),
                            [&](Message& m) {
                              a.Add(m);
                              fan_got.CountDown();
                              return ConsumeResult::Ack();
                            });
  auto cb = broker->Consume(Binding(fan, UniqueName("qb"), {"other"}, ExchangeType::kFanout),
                            [&](Message& m) {
                              b.Add(m);
                              fan_got.CountDown();
                              return ConsumeResult::Ack();
                            });
  auto ct = broker->Consume(
      Binding(topic, UniqueName("qt"), {"orders.*.created", "audit.#"}, ExchangeType::kTopic),
      [&](Message& m) {
        t.Add(m);
        topic_got.CountDown();
        return ConsumeResult::Ack();
      });
  REQUIRE(ca.ok());
  REQUIRE(cb.ok());
  REQUIRE(ct.ok());
  auto fp = broker->CreatePublisher(
      {.exchange = {.name = fan, .type = ExchangeType::kFanout, .auto_delete = true}});
  REQUIRE((*fp)->Publish(Message{.body = "all", .routing_key = "x"}).ok());
  auto tp = broker->CreatePublisher(
      {.exchange = {.name = topic, .type = ExchangeType::kTopic, .auto_delete = true},
       .mandatory = true});
  REQUIRE((*tp)->Publish(Message{.body = "1", .routing_key = "orders.eu.created"}).ok());
  CHECK((*tp)->Publish(Message{.body = "2", .routing_key = "orders.eu.deleted"}).code() ==
        StatusCode::kUnavailable);
  REQUIRE((*tp)->Publish(Message{.body = "3", .routing_key = "audit.a.b.c"}).ok());
  REQUIRE(fan_got.Wait());
  REQUIRE(topic_got.Wait());
  CHECK(a.size() == 1);
  CHECK(b.size() == 1);
  std::lock_guard<std::mutex> lock(t.mu);
  REQUIRE(t.messages.size() == 2);
  std::set<std::string> bodies{t.messages[0].body, t.messages[1].body};
  CHECK(bodies == std::set<std::string>{"1", "3"});
}

TEST_CASE("contract: an expired message is not delivered", "[contract]") {
  auto broker = ConnectedBroker(ContractUrl());
  std::string ex = UniqueName("ex");
  std::string q = UniqueName("q");
  REQUIRE(broker->DeclareExchange({.name = ex, .auto_delete = false}).ok());
  REQUIRE(broker->DeclareQueue({.name = q}).ok());
  REQUIRE(broker->BindQueue(q, {.name = ex}, "k").ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  Message stale{.body = "stale", .routing_key = "k"};
  stale.set_ttl(1ms);
  REQUIRE((*pub)->Publish(stale).ok());
  std::this_thread::sleep_for(50ms);  // lets the TTL pass (time, not synchronisation)
  REQUIRE((*pub)->Publish(Message{.body = "fresh", .routing_key = "k"}).ok());
  Inbox inbox;
  Latch got(1);
  auto consumer = broker->Consume(BindingOptions{.queue = {.name = q}}, [&](Message& m) {
    inbox.Add(m);
    got.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  REQUIRE(got.Wait());
  REQUIRE((*consumer)->Cancel(5s).ok());
  REQUIRE(inbox.size() == 1);
  CHECK(inbox.messages[0].body == "fresh");
  REQUIRE(broker->DeleteQueue(q).ok());
  REQUIRE(broker->DeleteExchange(ex).ok());
}

TEST_CASE("contract: a typed consumer reports a serializer mismatch, RejectUndecodable drops it",
          "[contract]") {
  BrokerOptions options;
  options.consumer_middlewares.push_back(std::make_shared<RejectUndecodableMiddleware>());
  auto broker = ConnectedBroker(ContractUrl(), options);
  std::string ex = UniqueName("ex");
  std::mutex mu;
  std::vector<std::string> values;
  std::vector<ConsumeResult> results;
  Latch got(2);
  struct Recorder : ConsumerMiddleware {
    std::mutex* mu;
    std::vector<ConsumeResult>* results;
    Latch* got;
    ConsumeResult Handle(Message& m, Next next) override {
      ConsumeResult r = next(m);
      {
        std::lock_guard<std::mutex> lock(*mu);
        results->push_back(r);
      }
      got->CountDown();
      return r;
    }
  };
  auto recorder = std::make_shared<Recorder>();
  recorder->mu = &mu;
  recorder->results = &results;
  recorder->got = &got;
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}),
                                  DecodingHandler<google::protobuf::StringValue>(
                                      [&](const google::protobuf::StringValue& v, Message&) {
                                        std::lock_guard<std::mutex> lock(mu);
                                        values.push_back(v.value());
                                        return ConsumeResult::Ack();
                                      }),
                                  ConsumerOptions{.middlewares = {recorder}});
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  google::protobuf::StringValue hello;
  hello.set_value("hello");
  REQUIRE((*pub)->PublishPayload(hello, "k").ok());
  REQUIRE((*pub)->PublishPayload<JsonSerializer>(hello, "k").ok());
  REQUIRE(got.Wait());
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(values == std::vector<std::string>{"hello"});
  REQUIRE(results.size() == 2);
  auto failed = std::find_if(results.begin(), results.end(), [](const ConsumeResult& r) {
    return r.kind() == ConsumeResult::Kind::kFailed;
  });
  REQUIRE(failed != results.end());
  CHECK(failed->status().code() == StatusCode::kInvalidArgument);
  CHECK(failed->status().message() ==
        "invalid content type: expected 'application/protobuf', got 'application/json'");
}

TEST_CASE("contract: middlewares see, change and short-circuit messages", "[contract]") {
  struct StampPublisher : PublisherMiddleware {
    Status Handle(Message& m, Next next) override {
      if (m.body == "forbidden") return PermissionDeniedError("not this one");
      m.properties.headers.Set("stamped", "yes");
      return next(m);
    }
  };
  struct Counting : ConsumerMiddleware {
    std::atomic<int> seen{0};
    ConsumeResult Handle(Message& m, Next next) override {
      ++seen;
      if (m.body == "skip") return ConsumeResult::Ack();  // short-circuit: handler not called
      return next(m);
    }
  };
  auto counting = std::make_shared<Counting>();
  BrokerOptions options;
  options.publisher_middlewares.push_back(std::make_shared<StampPublisher>());
  options.consumer_middlewares.push_back(counting);
  auto broker = ConnectedBroker(ContractUrl(), options);
  std::string ex = UniqueName("ex");
  Inbox inbox;
  Latch got(1);
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}), [&](Message& m) {
    inbox.Add(m);
    got.CountDown();
    return ConsumeResult::Ack();
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  CHECK((*pub)->Publish(Message{.body = "forbidden", .routing_key = "k"}).code() ==
        StatusCode::kPermissionDenied);
  REQUIRE((*pub)->Publish(Message{.body = "skip", .routing_key = "k"}).ok());
  REQUIRE((*pub)->Publish(Message{.body = "real", .routing_key = "k"}).ok());
  REQUIRE(got.Wait());
  REQUIRE(testing::Eventually([&] { return counting->seen.load() == 2; }));
  REQUIRE(inbox.size() == 1);
  CHECK(inbox.messages[0].body == "real");
  CHECK(*inbox.messages[0].properties.headers.FindString("stamped") == "yes");
}

TEST_CASE("contract: retry-on-error retries up to max attempts, then rejects", "[contract]") {
  BrokerOptions options;
  options.consumer_middlewares.push_back(std::make_shared<RetryOnErrorMiddleware>(
      RetryOnErrorOptions{.delay = 20ms, .max_attempts = 3}));
  auto broker = ConnectedBroker(ContractUrl(), options);
  std::string ex = UniqueName("ex");
  std::atomic<int> attempts{0};
  Latch three(3);
  auto consumer = broker->Consume(Binding(ex, UniqueName("q"), {"k"}), [&](Message&) {
    ++attempts;
    three.CountDown();
    return ConsumeResult::Failed(UnavailableError("downstream is down"));
  });
  REQUIRE(consumer.ok());
  auto pub = broker->CreatePublisher({.exchange = {.name = ex}});
  REQUIRE((*pub)->Publish(Message{.body = "flaky", .routing_key = "k"}).ok());
  REQUIRE(three.Wait());
  // The third failure is final: once the consumer is drained, no fourth attempt ran.
  REQUIRE((*consumer)->Cancel(5s).ok());
  CHECK(attempts.load() == 3);
}

}  // namespace
}  // namespace brokrpc
