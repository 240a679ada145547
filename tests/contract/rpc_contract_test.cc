// Unary and fire-and-forget RPC behaviour on both transports (memory:// and RabbitMQ).
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/call_paths.h"
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

// A server and a client on their own connections, serving `service`.
struct Rig {
  std::shared_ptr<Broker> server_broker;
  std::shared_ptr<Broker> client_broker;
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;

  explicit Rig(Service* service, ServerOptions server_options = {},
               ChannelOptions channel_options = {}, BrokerOptions server_broker_options = {}) {
    server_broker = ConnectedBroker(ContractUrl(), server_broker_options);
    client_broker = ConnectedBroker(ContractUrl());
    server = std::make_unique<Server>(server_broker, std::move(server_options));
    if (service != nullptr) {
      REQUIRE(server->RegisterService(service).ok());
      Status started = server->Start();
      INFO(started.ToString());
      REQUIRE(started.ok());
    }
    channel = CreateChannel(client_broker, std::move(channel_options));
  }
  ~Rig() { server->Shutdown(5s).IgnoreError(); }
};

bool IsUuidHex(const std::string& s) { return std::regex_match(s, std::regex("[0-9a-f]{32}")); }

TEST_CASE("rpc contract: a unary call round-trips with BrokRPC's wire properties", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec);
  struct Spy : ServerInterceptor {
    std::mutex mu;
    Message request;
    ConsumeResult Handle(Message& m, Next next) override {
      {
        std::lock_guard<std::mutex> lock(mu);
        request = m;
      }
      return next(m);
    }
  };
  auto spy = std::make_shared<Spy>();
  struct ClientSpy : ClientInterceptor {
    Message reply;
    Status Handle(ClientCall& call, Next next) override {
      Status s = next(call);
      reply = call.response;
      return s;
    }
  };
  auto client_spy = std::make_shared<ClientSpy>();
  Rig rig(&service, ServerOptions{.interceptors = {spy}},
          ChannelOptions{.interceptors = {client_spy}});
  ClientContext ctx;
  ctx.set_timeout(5s);
  std::string reply;
  Status s = CallEcho(*rig.channel, spec, &ctx, "hello", &reply);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(reply == "echo: hello");

  std::lock_guard<std::mutex> lock(spy->mu);
  const Message& req = spy->request;
  CHECK(req.exchange == spec.exchange());
  CHECK(req.routing_key == "/test/Echo/Echo");
  CHECK(req.properties.content_type == "application/protobuf");
  CHECK(req.properties.type == "google.protobuf.StringValue");
  CHECK_FALSE(req.properties.content_encoding.has_value());
  REQUIRE(req.properties.correlation_id.has_value());
  CHECK(IsUuidHex(*req.properties.correlation_id));
  CHECK(*req.properties.correlation_id == ctx.correlation_id());
  REQUIRE(req.properties.reply_to.has_value());
  CHECK(req.properties.reply_to->rfind("response.", 0) == 0);
  REQUIRE(req.properties.message_id.has_value());
  CHECK(IsUuidHex(*req.properties.message_id));
  REQUIRE(req.properties.timestamp.has_value());
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  CHECK(std::abs(*req.properties.timestamp - now_s) <= 5);
  REQUIRE(req.ttl().has_value());
  CHECK(*req.ttl() <= 5000ms);
  CHECK(*req.ttl() > 4000ms);
  REQUIRE(req.properties.headers.Find("x-brokrpc-deadline") != nullptr);

  const Message& rep = client_spy->reply;
  CHECK(rep.properties.correlation_id == req.properties.correlation_id);
  CHECK(rep.properties.expiration == req.properties.expiration);
  CHECK(rep.properties.content_type == "application/protobuf");
  CHECK(rep.properties.type == "google.protobuf.StringValue");
  REQUIRE(rep.properties.message_id.has_value());
  CHECK(*rep.properties.message_id != *req.properties.message_id);
  CHECK(rep.exchange == spec.exchange());
  CHECK(rep.routing_key == *req.properties.reply_to);
}

TEST_CASE("rpc contract: a handler's non-OK status reaches the client with its message", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec, [](ServerContext*, const StringValue& req, StringValue*) {
    return NotFoundError("no item named " + req.value());
  });
  Rig rig(&service);
  ClientContext ctx;
  Status s = CallEcho(*rig.channel, spec, &ctx, "widget", nullptr);
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "no item named widget");
}

TEST_CASE("rpc contract: a throwing handler gives INTERNAL and the server keeps serving", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec, [](ServerContext*, const StringValue& req, StringValue* resp) {
    if (req.value() == "boom") throw std::runtime_error("kaboom: bad state");
    resp->set_value("fine");
    return OkStatus();
  });
  Rig rig(&service);
  ClientContext c1;
  Status s = CallEcho(*rig.channel, spec, &c1, "boom", nullptr);
  CHECK(s.code() == StatusCode::kInternal);
  CHECK_THAT(s.message(), Catch::Contains("kaboom: bad state"));
  ClientContext c2;
  std::string reply;
  REQUIRE(CallEcho(*rig.channel, spec, &c2, "again", &reply).ok());
  CHECK(reply == "fine");
}

TEST_CASE("rpc contract: metadata round-trips both ways, reserved keys are refused", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  std::atomic<int> saw_reserved{0};  // handlers record; the test thread asserts
  EchoService service(spec, [&](ServerContext* ctx, const StringValue&, StringValue* resp) {
    auto it = ctx->client_metadata().find("tenant");
    resp->set_value(it == ctx->client_metadata().end() ? "none" : it->second);
    if (ctx->client_metadata().count("x-brokrpc-deadline") != 0) ++saw_reserved;
    ctx->AddResponseMetadata("served-by", "test");
    return OkStatus();
  });
  Rig rig(&service);
  ClientContext ctx;
  ctx.AddMetadata("tenant", "acme");
  std::string reply;
  REQUIRE(CallEcho(*rig.channel, spec, &ctx, "x", &reply).ok());
  CHECK(reply == "acme");
  REQUIRE(ctx.response_metadata().count("served-by") == 1);
  CHECK(ctx.response_metadata().at("served-by") == "test");
  CHECK(saw_reserved.load() == 0);  // reserved headers are not shown as client metadata
  ClientContext bad;
  bad.AddMetadata("x-brokrpc-status", "0");
  Status s = CallEcho(*rig.channel, spec, &bad, "x", nullptr);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("reserved"));
}

TEST_CASE("rpc contract: DEADLINE_EXCEEDED at the deadline, the handler sees its deadline",
          "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  std::promise<bool> saw_deadline;
  std::promise<bool> saw_exceeded;  // IsDeadlineExceeded() once released after the deadline
  Latch release(1);
  EchoService service(spec, [&](ServerContext* ctx, const StringValue& req, StringValue* resp) {
    if (req.value() == "slow") {
      saw_deadline.set_value(ctx->deadline().has_value());
      release.Wait(10s);
      saw_exceeded.set_value(ctx->IsDeadlineExceeded());
    }
    resp->set_value(req.value());
    return OkStatus();
  });
  Rig rig(&service);
  ClientContext ctx;
  ctx.set_timeout(300ms);
  auto start = std::chrono::steady_clock::now();
  Status s = CallEcho(*rig.channel, spec, &ctx, "slow", nullptr);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(s.code() == StatusCode::kDeadlineExceeded);
  CHECK(elapsed >= 290ms);
  CHECK(elapsed < 2s);
  CHECK(saw_deadline.get_future().get());
  release.CountDown();  // the late reply is dropped; the next call is unaffected
  auto exceeded = saw_exceeded.get_future();
  REQUIRE(exceeded.wait_for(30s) == std::future_status::ready);
  CHECK(exceeded.get());
  ClientContext next;
  std::string reply;
  REQUIRE(CallEcho(*rig.channel, spec, &next, "quick", &reply).ok());
  CHECK(reply == "quick");
}

TEST_CASE("rpc contract: a method nobody serves fails at once with UNAVAILABLE", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  Rig rig(nullptr);
  ClientContext ctx;
  ctx.set_timeout(20s);
  auto start = std::chrono::steady_clock::now();
  Status s = CallEcho(*rig.channel, spec, &ctx, "anyone?", nullptr);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), Catch::Contains("/test/Echo/Echo") && Catch::Contains("NO_ROUTE"));
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  ClientContext f;
  Status fs = CallNotify(*rig.channel, spec, &f, "anyone?");
  CHECK(fs.code() == StatusCode::kUnavailable);
}

TEST_CASE("rpc contract: wait-for-ready waits for a server, never past the deadline", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec);
  Rig rig(nullptr);
  // Nobody serves: tried again (not failed at once), and over before the deadline.
  ClientContext short_wait;
  short_wait.set_wait_for_ready(true);
  short_wait.set_timeout(600ms);
  auto start = std::chrono::steady_clock::now();
  Status s = CallEcho(*rig.channel, spec, &short_wait, "anyone?", nullptr);
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(short_wait.attempts() > 1);
  CHECK(waited < 2s);  // the 600 ms deadline plus a margin for a loaded machine
  // A server that starts while the call waits answers it (synchronous and asynchronous).
  std::promise<Status> sync_result;
  std::thread caller([&] {
    ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_timeout(20s);
    std::string reply;
    Status r = CallEcho(*rig.channel, spec, &ctx, "late server", &reply);
    if (r.ok() && reply != "echo: late server") r = InternalError("wrong reply: " + reply);
    sync_result.set_value(r);
  });
  ClientContext async_ctx;
  async_ctx.set_wait_for_ready(true);
  async_ctx.set_timeout(20s);
  StringValue request;
  request.set_value("async late server");
  auto async_result = internal::AsyncUnaryCall<StringValue, StringValue>(
      rig.channel.get(), spec.spec(), EchoSpec::kEcho, &async_ctx, request);
  REQUIRE(rig.server->RegisterService(&service).ok());
  REQUIRE(rig.server->Start().ok());
  Status sync_status = sync_result.get_future().get();
  caller.join();
  INFO(sync_status.ToString());
  CHECK(sync_status.ok());
  auto got = async_result.get();
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  CHECK(got->value() == "echo: async late server");
}

TEST_CASE("rpc contract: asynchronous calls with a future and with a callback", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec);
  Rig rig(&service);
  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::future<StatusOr<StringValue>>> futures;
  for (int i = 0; i < 50; ++i) {
    contexts.push_back(std::make_unique<ClientContext>());
    StringValue req;
    req.set_value(std::to_string(i));
    futures.push_back(internal::AsyncUnaryCall<StringValue, StringValue>(
        rig.channel.get(), spec.spec(), EchoSpec::kEcho, contexts.back().get(), req));
  }
  for (int i = 0; i < 50; ++i) {
    auto r = futures[i].get();
    REQUIRE(r.ok());
    CHECK(r->value() == "echo: " + std::to_string(i));
  }
  ClientContext ctx;
  std::promise<StatusOr<StringValue>> done;
  StringValue req;
  req.set_value("cb");
  internal::CallbackUnaryCall<StringValue, StringValue>(
      rig.channel.get(), spec.spec(), EchoSpec::kEcho, &ctx, req,
      [&](StatusOr<StringValue> r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  REQUIRE(r.ok());
  CHECK(r->value() == "echo: cb");
}

TEST_CASE("rpc contract: fire-and-forget maps ack, reject and retry", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  std::mutex mu;
  std::vector<std::string> seen;
  Latch got(3);
  EchoService service(spec, nullptr, [&](ServerContext* ctx, const StringValue& m) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(m.value() + (ctx->redelivered() ? "+redelivered" : ""));
    }
    got.CountDown();
    if (m.value() == "retry" && !ctx->redelivered()) return ConsumeResult::Retry(20ms);
    if (m.value() == "reject") return ConsumeResult::Reject();
    return ConsumeResult::Ack();
  });
  Rig rig(&service);
  ClientContext c1, c2;
  REQUIRE(CallNotify(*rig.channel, spec, &c1, "retry").ok());
  REQUIRE(CallNotify(*rig.channel, spec, &c2, "reject").ok());
  REQUIRE(got.Wait());
  REQUIRE(rig.server->Shutdown(5s).ok());
  std::lock_guard<std::mutex> lock(mu);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"reject", "retry", "retry+redelivered"});
}

TEST_CASE(
    "rpc contract: client and server interceptors change metadata, short-circuit, see outcomes",
    "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec, [](ServerContext* ctx, const StringValue&, StringValue* resp) {
    auto it = ctx->client_metadata().find("auth");
    resp->set_value(it == ctx->client_metadata().end() ? "" : it->second);
    return OkStatus();
  });
  struct Auth : ServerInterceptor {
    ConsumeResult Handle(Message& m, Next next) override {
      const std::string* token = m.properties.headers.FindString("auth");
      if (token == nullptr) return ConsumeResult::Failed(UnauthenticatedError("no token"));
      m.properties.headers.Set("auth", "checked:" + *token);
      return next(m);
    }
  };
  struct AddToken : ClientInterceptor {
    std::atomic<int> calls{0};
    std::mutex mu;
    std::vector<StatusCode> outcomes;  // what next() returned, in call order
    Status Handle(ClientCall& call, Next next) override {
      ++calls;
      if (call.context->metadata().count("deny")) return PermissionDeniedError("denied locally");
      if (!call.context->metadata().count("anonymous")) {
        call.request.properties.headers.Set("auth", "t0ken");
      }
      Status s = next(call);
      std::lock_guard<std::mutex> lock(mu);
      outcomes.push_back(s.code());
      return s;
    }
  };
  auto add_token = std::make_shared<AddToken>();
  Rig rig(&service, ServerOptions{.interceptors = {std::make_shared<Auth>()}},
          ChannelOptions{.interceptors = {add_token}});
  ClientContext ok_ctx;
  std::string reply;
  REQUIRE(CallEcho(*rig.channel, spec, &ok_ctx, "x", &reply).ok());
  CHECK(reply == "checked:t0ken");
  ClientContext anon;
  anon.AddMetadata("anonymous", "1");
  Status s = CallEcho(*rig.channel, spec, &anon, "x", nullptr);
  CHECK(s.code() == StatusCode::kUnauthenticated);
  CHECK(s.message() == "no token");
  ClientContext deny;
  deny.AddMetadata("deny", "1");
  CHECK(CallEcho(*rig.channel, spec, &deny, "x", nullptr).code() == StatusCode::kPermissionDenied);
  CHECK(service.echo_calls.load() == 1);
  CHECK(add_token->calls.load() == 3);
  // The interceptor saw each call's outcome; the denied call never reached next().
  std::lock_guard<std::mutex> lock(add_token->mu);
  CHECK(add_token->outcomes ==
        std::vector<StatusCode>{StatusCode::kOk, StatusCode::kUnauthenticated});
}

TEST_CASE("rpc contract: a JSON request gets a JSON reply", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec);
  Rig rig(&service);
  Message request;
  StringValue v;
  v.set_value("jöhn");
  REQUIRE(JsonSerializer::Encode(v, &request).ok());
  CHECK(request.body == "\"j\\u00f6hn\"");  // ASCII-escaped, as Python writes it
  ClientContext ctx;
  Message reply;
  REQUIRE(brokrpc::internal::CallUnary(*rig.channel, spec.spec(), EchoSpec::kEcho, &ctx, request,
                                       &reply)
              .ok());
  CHECK(reply.properties.content_type == "application/json");
  CHECK(reply.properties.content_encoding == "utf-8");
  StringValue out;
  REQUIRE(JsonSerializer::Decode(reply, &out).ok());
  CHECK(out.value() == "echo: jöhn");
}

TEST_CASE("rpc contract: TryCancel ends a call with CANCELLED", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"));
  Latch release(1);
  EchoService service(spec, [&](ServerContext*, const StringValue&, StringValue*) {
    release.Wait(10s);
    return OkStatus();
  });
  Rig rig(&service);
  ClientContext ctx;
  StringValue req;
  auto future = internal::AsyncUnaryCall<StringValue, StringValue>(rig.channel.get(), spec.spec(),
                                                                   EchoSpec::kEcho, &ctx, req);
  REQUIRE(testing::Eventually([&] { return service.echo_calls.load() == 1; }));
  ctx.TryCancel();
  auto r = future.get();
  CHECK(r.status().code() == StatusCode::kCancelled);
  release.CountDown();
}

TEST_CASE("rpc contract: a service without an exchange name is a configuration error", "[rpc]") {
  EchoSpec spec("");
  EchoService service(spec);
  auto broker = ConnectedBroker(ContractUrl());
  Server server(broker);
  Status s = server.RegisterService(&service);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("test.Echo") && Catch::Contains("default exchange"));
  auto channel = CreateChannel(broker);
  ClientContext ctx;
  Status c = CallEcho(*channel, spec, &ctx, "x", nullptr);
  CHECK(c.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(c.message(), Catch::Contains("test.Echo"));
}

TEST_CASE("rpc contract: shutdown drains running handlers and hands back the rest", "[rpc]") {
  EchoSpec spec(UniqueName("rpc"), "drain", /*auto_delete=*/false);
  Latch started(2);
  Latch release(1);
  EchoService service(spec, [&](ServerContext*, const StringValue& req, StringValue* resp) {
    started.CountDown();
    release.Wait(10s);
    resp->set_value(req.value());
    return OkStatus();
  });
  Rig rig(&service, ServerOptions{.prefetch_count = 2});
  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::future<StatusOr<StringValue>>> futures;
  for (int i = 0; i < 5; ++i) {
    contexts.push_back(std::make_unique<ClientContext>());
    contexts.back()->set_timeout(20s);
    StringValue req;
    req.set_value(std::to_string(i));
    futures.push_back(internal::AsyncUnaryCall<StringValue, StringValue>(
        rig.channel.get(), spec.spec(), EchoSpec::kEcho, contexts.back().get(), req));
  }
  REQUIRE(started.Wait());
  // Shut down while both handlers are held: it must wait for them. Once the server reports it
  // is no longer running, Shutdown has begun; it cannot finish before the handlers are released.
  auto shutdown = std::async(std::launch::async, [&] { return rig.server->Shutdown(10s); });
  REQUIRE(testing::Eventually([&] { return !rig.server->is_running(); }));
  CHECK(shutdown.wait_for(0s) == std::future_status::timeout);
  release.CountDown();
  REQUIRE(shutdown.wait_for(30s) == std::future_status::ready);
  REQUIRE(shutdown.get().ok());
  CHECK(service.echo_calls.load() == 2);
  // The two that ran were answered; the three handed back are served by a new server.
  EchoService second(spec);
  Server next(rig.server_broker);
  REQUIRE(next.RegisterService(&second).ok());
  REQUIRE(next.Start().ok());
  int ok = 0;
  for (auto& f : futures) ok += f.get().ok() ? 1 : 0;
  CHECK(ok == 5);
  CHECK(second.echo_calls.load() == 3);
  REQUIRE(next.Shutdown(5s).ok());
  REQUIRE(rig.server_broker->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).ok());
  REQUIRE(rig.server_broker->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).ok());
}

}  // namespace
}  // namespace brokrpc

namespace brokrpc {
namespace {

TEST_CASE("rpc contract: inline handlers serve on the I/O thread, a blocking call there fails",
          "[rpc]") {
  EchoSpec spec(UniqueName("rpc-inline"));
  EchoSpec other(UniqueName("rpc-inline-other"));
  std::shared_ptr<Channel> nested;  // a channel on the server's own connection
  EchoService service(spec, [&](ServerContext*, const StringValue& req, StringValue* resp) {
    if (req.value() == "nested") {
      // A synchronous call would wait for the I/O thread this handler is running on.
      ClientContext ctx;
      ctx.set_timeout(std::chrono::seconds(5));
      std::string ignored;
      Status s = CallEcho(*nested, other, &ctx, "x", &ignored);
      resp->set_value(StatusCodeName(s.code()));
      return OkStatus();
    }
    resp->set_value("inline: " + req.value());
    return OkStatus();
  });
  Rig rig(&service, ServerOptions{.inline_handlers = true});
  nested = CreateChannel(rig.server_broker);

  constexpr int kCalls = 200;
  std::vector<std::future<StatusOr<StringValue>>> futures;
  std::vector<ClientContext> contexts(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    contexts[i].set_timeout(10s);
    StringValue req;
    req.set_value(std::to_string(i));
    futures.push_back(internal::AsyncUnaryCall<StringValue, StringValue>(
        rig.channel.get(), spec.spec(), EchoSpec::kEcho, &contexts[i], req));
  }
  int ok = 0;
  for (int i = 0; i < kCalls; ++i) {
    StatusOr<StringValue> r = futures[i].get();
    if (r.ok() && r->value() == "inline: " + std::to_string(i)) ++ok;
  }
  CHECK(ok == kCalls);

  ClientContext ctx;
  ctx.set_timeout(10s);
  std::string reply;
  Status s = CallEcho(*rig.channel, spec, &ctx, "nested", &reply);
  REQUIRE(s.ok());
  CHECK(reply == "FAILED_PRECONDITION");
}

}  // namespace
}  // namespace brokrpc
