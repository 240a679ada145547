// The RPC wire contract checked byte for byte on a real broker, with raw AMQP peers shaped like
// Python BrokRPC's client and server.
#include <catch2/catch.hpp>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "base/uuid.h"
#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::CallEcho;
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::Latch;
using testing::RabbitUrl;
using testing::StringValue;
using testing::UniqueName;

bool IsUuidHex(const std::string& s) { return std::regex_match(s, std::regex("[0-9a-f]{32}")); }

// A raw reply queue, as a Python BrokRPC caller declares it.
struct RawCaller {
  std::shared_ptr<Broker> broker;
  std::string exchange;
  std::string reply_queue;
  std::unique_ptr<Consumer> consumer;
  std::unique_ptr<Publisher> publisher;
  std::mutex mu;
  std::vector<Message> replies;
  Latch got{1};

  RawCaller(const std::string& ex, const std::string& routing_key) : exchange(ex) {
    broker = ConnectedBroker(RabbitUrl());
    reply_queue = "response." + routing_key + "." + internal::NewUuidHex();
    auto c = broker->Consume(
        BindingOptions{.exchange = {.name = ex, .auto_delete = true},
                       .binding_keys = {reply_queue},
                       .queue = {.name = reply_queue, .exclusive = true, .auto_delete = true}},
        [this](Message& m) {
          {
            std::lock_guard<std::mutex> lock(mu);
            replies.push_back(m);
          }
          got.CountDown();
          return ConsumeResult::Ack();
        });
    REQUIRE(c.ok());
    consumer = std::move(*c);
    publisher = std::move(*broker->CreatePublisher({.exchange = {.name = ex}}));
  }
};

// Declares a dead-letter exchange + queue and returns the queue arguments that use it.
struct DeadLetters {
  std::shared_ptr<Broker> broker = ConnectedBroker(RabbitUrl());
  std::string exchange = UniqueName("dlx");
  std::mutex mu;
  std::vector<Message> dead;
  std::unique_ptr<Consumer> consumer;
  Latch got{1};

  DeadLetters() {
    auto c = broker->Consume(
        BindingOptions{
            .exchange = {.name = exchange, .type = ExchangeType::kFanout, .auto_delete = true},
            .binding_keys = {"#"},
            .queue = {.name = UniqueName("dead"), .auto_delete = true}},
        [this](Message& m) {
          {
            std::lock_guard<std::mutex> lock(mu);
            dead.push_back(m);
          }
          got.CountDown();
          return ConsumeResult::Ack();
        });
    REQUIRE(c.ok());
    consumer = std::move(*c);
  }
  FieldTable arguments() const { return FieldTable{{"x-dead-letter-exchange", exchange}}; }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return dead.size();
  }
};

Message PythonRequest(const RawCaller& caller, const std::string& routing_key,
                      const std::string& value) {
  StringValue v;
  v.set_value(value);
  Message m{.body = v.SerializeAsString(), .routing_key = routing_key};
  m.properties.content_type = "application/protobuf";
  m.properties.type = "google.protobuf.StringValue";
  m.properties.correlation_id = internal::NewUuidHex();
  m.properties.reply_to = caller.reply_queue;
  m.properties.expiration = "7500";
  m.properties.message_id = internal::NewUuidHex();
  m.properties.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return m;
}

TEST_CASE("rpc wire: a Python-shaped caller gets BrokRPC's reply, byte for byte", "[wire]") {
  EchoSpec spec(UniqueName("wire"));
  EchoService service(spec);
  auto server_broker = ConnectedBroker(RabbitUrl());
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  RawCaller caller(spec.exchange(), spec.routing_key(EchoSpec::kEcho));
  Message req = PythonRequest(caller, spec.routing_key(EchoSpec::kEcho), "Bob");
  REQUIRE(caller.publisher->Publish(req).ok());
  REQUIRE(caller.got.Wait());
  std::lock_guard<std::mutex> lock(caller.mu);
  const Message& r = caller.replies.at(0);
  CHECK(r.delivery->exchange == spec.exchange());
  CHECK(r.delivery->routing_key == caller.reply_queue);
  CHECK(r.properties.correlation_id == req.properties.correlation_id);
  CHECK(r.properties.expiration == "7500");
  CHECK(r.properties.content_type == "application/protobuf");
  CHECK(r.properties.type == "google.protobuf.StringValue");
  CHECK_FALSE(r.properties.content_encoding.has_value());
  REQUIRE(r.properties.message_id.has_value());
  CHECK(IsUuidHex(*r.properties.message_id));
  CHECK(r.properties.message_id != req.properties.message_id);
  CHECK(r.properties.timestamp.has_value());
  CHECK_FALSE(r.properties.reply_to.has_value());
  CHECK(r.properties.headers.empty());
  StringValue out;
  REQUIRE(out.ParseFromString(r.body));
  CHECK(out.value() == "echo: Bob");
  REQUIRE(server.Shutdown(5s).ok());
}

TEST_CASE("rpc wire: a C++ client calls a Python-shaped server", "[wire]") {
  EchoSpec spec(UniqueName("wire"));
  auto server_broker = ConnectedBroker(RabbitUrl());
  auto publisher = std::move(*server_broker->CreatePublisher());
  std::string key = spec.routing_key(EchoSpec::kEcho);
  // The consumer runs on a brokrpc thread: it records what went wrong, the test thread asserts.
  std::mutex mu;
  std::vector<std::string> server_errors;
  auto server_error = [&](std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    server_errors.push_back(std::move(what));
  };
  auto consumer = server_broker->Consume(
      BindingOptions{.exchange = {.name = spec.exchange(), .auto_delete = true},
                     .binding_keys = {key},
                     .queue = {.name = key, .auto_delete = true}},
      [&](Message& req) {
        StringValue in, out;
        if (!in.ParseFromString(req.body)) {
          server_error("the request body does not parse as a StringValue");
          return ConsumeResult::Reject();
        }
        out.set_value("py: " + in.value());
        Message reply{.body = out.SerializeAsString(),
                      .exchange = req.delivery->exchange,
                      .routing_key = *req.properties.reply_to};
        reply.properties.content_type = "application/protobuf";
        reply.properties.type = "google.protobuf.StringValue";
        reply.properties.correlation_id = req.properties.correlation_id;
        reply.properties.expiration = req.properties.expiration;
        Status published = publisher->Publish(reply);
        if (!published.ok()) server_error("the reply was not published: " + published.ToString());
        return ConsumeResult::Ack();
      });
  REQUIRE(consumer.ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  std::string reply;
  Status s = CallEcho(*channel, spec, &ctx, "Alice", &reply);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(server_errors == std::vector<std::string>{});
  }
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(reply == "py: Alice");
}

TEST_CASE("rpc wire: a request without reply_to or correlation_id is rejected, not requeued",
          "[wire]") {
  DeadLetters dlx;
  EchoSpec spec(UniqueName("wire"), "test", true, dlx.arguments());
  EchoService service(spec);
  Server server(ConnectedBroker(RabbitUrl()));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  RawCaller caller(spec.exchange(), spec.routing_key(EchoSpec::kEcho));
  Message req = PythonRequest(caller, spec.routing_key(EchoSpec::kEcho), "x");
  req.properties.reply_to.reset();
  REQUIRE(caller.publisher->Publish(req).ok());
  REQUIRE(dlx.got.Wait());
  std::lock_guard<std::mutex> lock(dlx.mu);
  REQUIRE(dlx.dead.size() == 1);
  const FieldValue* death = dlx.dead[0].properties.headers.Find("x-death");
  REQUIRE(death != nullptr);
  CHECK_THAT(death->ToString(), Catch::Contains("'rejected'"));
  CHECK(service.echo_calls.load() == 0);
}

TEST_CASE("rpc wire: an undecodable request gets an INVALID_ARGUMENT error reply and is acked",
          "[wire]") {
  DeadLetters dlx;
  EchoSpec spec(UniqueName("wire"), "test", true, dlx.arguments());
  EchoService service(spec);
  Server server(ConnectedBroker(RabbitUrl()), ServerOptions{.prefetch_count = 1});
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  RawCaller caller(spec.exchange(), spec.routing_key(EchoSpec::kEcho));
  Message req = PythonRequest(caller, spec.routing_key(EchoSpec::kEcho), "x");
  req.properties.type = "google.protobuf.Int32Value";
  REQUIRE(caller.publisher->Publish(req).ok());
  REQUIRE(caller.got.Wait());
  std::lock_guard<std::mutex> lock(caller.mu);
  const Message& r = caller.replies.at(0);
  CHECK(r.properties.type == "brokrpc.spec.v1.Error");
  CHECK(r.properties.content_type == "application/protobuf");
  CHECK(r.properties.correlation_id == req.properties.correlation_id);
  REQUIRE(r.properties.headers.Find("x-brokrpc-status") != nullptr);
  CHECK(*r.properties.headers.Find("x-brokrpc-status")->get_if<int64_t>() == 3);
  brokrpc::spec::v1::Error error;
  REQUIRE(error.ParseFromString(r.body));
  CHECK(error.message() ==
        "invalid message type: expected 'google.protobuf.StringValue', got "
        "'google.protobuf.Int32Value'");
  CHECK(service.echo_calls.load() == 0);
  REQUIRE(server.Shutdown(5s).ok());
  CHECK(dlx.count() == 0);  // acked, not rejected
}

TEST_CASE("rpc wire: an expired request is acked and skipped without running", "[wire]") {
  DeadLetters dlx;
  EchoSpec spec(UniqueName("wire"), "test", true, dlx.arguments());
  EchoService service(spec);
  Server server(ConnectedBroker(RabbitUrl()), ServerOptions{.prefetch_count = 1});
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  RawCaller caller(spec.exchange(), spec.routing_key(EchoSpec::kEcho));
  Message stale = PythonRequest(caller, spec.routing_key(EchoSpec::kEcho), "stale");
  stale.properties.headers.Set("x-brokrpc-deadline", FieldValue(int64_t{1000}));  // 1970: long past
  Message fresh = PythonRequest(caller, spec.routing_key(EchoSpec::kEcho), "fresh");
  REQUIRE(caller.publisher->Publish(stale).ok());
  REQUIRE(caller.publisher->Publish(fresh).ok());
  REQUIRE(caller.got.Wait());  // prefetch 1: the stale one was settled before this ran
  {
    std::lock_guard<std::mutex> lock(caller.mu);
    REQUIRE(caller.replies.size() == 1);
    CHECK(caller.replies[0].properties.correlation_id == fresh.properties.correlation_id);
  }
  CHECK(service.echo_calls.load() == 1);
  REQUIRE(server.Shutdown(5s).ok());
  CHECK(dlx.count() == 0);
}

}  // namespace
}  // namespace brokrpc
