// The typed stub's wire encoding (ChannelOptions::encoding, ClientContext::set_encoding) on both
// transports (memory:// and RabbitMQ): JSON requests get JSON replies, protobuf stays protobuf,
// and the context overrides the channel either way.
#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::CallEcho;
using testing::CallNotify;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::EchoService;
using testing::EchoSpec;
using testing::Latch;
using testing::StringValue;
using testing::UniqueName;

// Records the content_type of each request the server receives. Thread-safe.
struct RequestTypes : ServerInterceptor {
  std::mutex mu;
  std::vector<std::string> seen;
  ConsumeResult Handle(Message& m, Next next) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(m.properties.content_type.value_or(""));
    }
    return next(m);
  }
  std::vector<std::string> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// Records the content_type of each unary reply the client receives. Thread-safe.
struct ReplyTypes : ClientInterceptor {
  std::mutex mu;
  std::vector<std::string> seen;
  Status Handle(ClientCall& call, Next next) override {
    Status s = next(call);
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(call.response.properties.content_type.value_or(""));
    return s;
  }
  std::vector<std::string> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// An echo server and a channel with `encoding`, both spied on.
struct JsonRig {
  EchoSpec spec{UniqueName("json")};
  Latch notified{1};
  std::string notified_value;  // written before notified counts down
  EchoService service{spec, nullptr, [this](ServerContext*, const StringValue& m) {
                        notified_value = m.value();
                        notified.CountDown();
                        return ConsumeResult::Ack();
                      }};
  std::shared_ptr<RequestTypes> requests = std::make_shared<RequestTypes>();
  std::shared_ptr<ReplyTypes> replies = std::make_shared<ReplyTypes>();
  std::shared_ptr<Broker> server_broker = ConnectedBroker(ContractUrl());
  std::shared_ptr<Broker> client_broker = ConnectedBroker(ContractUrl());
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;

  explicit JsonRig(Encoding encoding) {
    server = std::make_unique<Server>(server_broker, ServerOptions{.interceptors = {requests}});
    REQUIRE(server->RegisterService(&service).ok());
    REQUIRE(server->Start().ok());
    channel = CreateChannel(client_broker,
                            ChannelOptions{.interceptors = {replies}, .encoding = encoding});
  }
  ~JsonRig() { server->Shutdown(5s).IgnoreError(); }
};

const std::string kJson(kJsonContentType);
const std::string kProtobuf(kProtobufContentType);

TEST_CASE("json contract: a JSON channel's typed calls go as JSON and come back as JSON",
          "[rpc][json]") {
  JsonRig rig(Encoding::kJson);

  ClientContext ctx;
  ctx.set_timeout(10s);
  std::string reply;
  Status s = CallEcho(*rig.channel, rig.spec, &ctx, "héllo", &reply);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(reply == "echo: héllo");

  ClientContext async_ctx;
  async_ctx.set_timeout(10s);
  StringValue request;
  request.set_value("async");
  auto future = internal::AsyncUnaryCall<StringValue, StringValue>(
      rig.channel.get(), rig.spec.spec(), EchoSpec::kEcho, &async_ctx, request);
  auto got = future.get();
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  CHECK(got.value().value() == "echo: async");

  ClientContext notify_ctx;
  notify_ctx.set_timeout(10s);
  REQUIRE(CallNotify(*rig.channel, rig.spec, &notify_ctx, "note").ok());
  REQUIRE(rig.notified.Wait(10s));
  CHECK(rig.notified_value == "note");

  CHECK(rig.requests->Get() == std::vector<std::string>{kJson, kJson, kJson});
  // Client interceptors see both unary replies and the fire-and-forget call (no reply); the
  // async one may record after the next call started.
  auto replies = rig.replies->Get();
  std::sort(replies.begin(), replies.end());
  CHECK(replies == std::vector<std::string>{"", kJson, kJson});
}

// (One rig at a time: EchoSpec's queues are named by routing key, so two servers would share them.)
TEST_CASE("json contract: a call's encoding overrides the channel's, both ways", "[rpc][json]") {
  std::string reply;
  {
    JsonRig json_rig(Encoding::kJson);
    ClientContext to_protobuf;
    to_protobuf.set_timeout(10s);
    to_protobuf.set_encoding(Encoding::kProtobuf);
    REQUIRE(CallEcho(*json_rig.channel, json_rig.spec, &to_protobuf, "a", &reply).ok());
    CHECK(reply == "echo: a");
    CHECK(json_rig.requests->Get() == std::vector<std::string>{kProtobuf});
    CHECK(json_rig.replies->Get() == std::vector<std::string>{kProtobuf});
  }
  {
    JsonRig protobuf_rig(Encoding::kProtobuf);
    ClientContext plain;
    plain.set_timeout(10s);
    REQUIRE(CallEcho(*protobuf_rig.channel, protobuf_rig.spec, &plain, "b", &reply).ok());
    CHECK(reply == "echo: b");
    ClientContext to_json;
    to_json.set_timeout(10s);
    to_json.set_encoding(Encoding::kJson);
    REQUIRE(CallEcho(*protobuf_rig.channel, protobuf_rig.spec, &to_json, "c", &reply).ok());
    CHECK(reply == "echo: c");
    CHECK(protobuf_rig.requests->Get() == std::vector<std::string>{kProtobuf, kJson});
    CHECK(protobuf_rig.replies->Get() == std::vector<std::string>{kProtobuf, kJson});
  }
}

}  // namespace
}  // namespace brokrpc
