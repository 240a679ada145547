// A synchronous caller reads its own reply (leader/follower, Transport::Lead), on a real broker:
// while it leads it dispatches every frame of its connection, other calls' replies included;
// when it steps down the I/O thread takes the socket back at once when anything needs it; and
// many synchronous callers on one connection share it without mixing replies up.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
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
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitUrl;
using testing::StringValue;
using testing::UniqueName;

// An Echo server on its own connection; the client gets another (a connection with a consuming
// server on it is read by its I/O thread only).
struct EchoDeployment {
  EchoSpec spec{UniqueName("leader")};
  EchoService service;
  std::shared_ptr<Broker> server_broker = ConnectedBroker(RabbitUrl());
  Server server{server_broker};
  std::shared_ptr<Channel> channel = CreateChannel(ConnectedBroker(RabbitUrl()));

  explicit EchoDeployment(EchoService::EchoFn on_echo) : service(spec, std::move(on_echo)) {}
  Status Start() {
    Status s = server.RegisterService(&service);
    return s.ok() ? server.Start() : s;
  }
};

TEST_CASE("caller reads reply: a blocked synchronous call delivers another call's reply",
          "[leader]") {
  // The synchronous call's handler waits for the reply of an asynchronous call made on the same
  // connection meanwhile: the thread blocked in the synchronous call must dispatch it (with the
  // socket left to that thread, nobody else reads it), on its own thread.
  testing::Latch other_replied(1);
  std::atomic<bool> released{false};
  EchoDeployment d([&](ServerContext*, const StringValue& req, StringValue* resp) {
    if (req.value() == "hold") released = other_replied.Wait(20s);
    resp->set_value("echo: " + req.value());
    return OkStatus();
  });
  REQUIRE(d.Start().ok());

  std::mutex mu;
  Status other_status = UnknownError("not called");
  std::thread::id other_thread;
  std::thread starter([&] {
    // Once the held call is being handled its caller waits for the reply.
    if (!testing::Eventually([&] { return d.service.echo_calls.load() > 0; })) return;
    auto ctx = std::make_shared<ClientContext>();
    ctx->set_timeout(20s);
    brokrpc::internal::StartUnaryInline(*d.channel, d.spec.spec(), EchoSpec::kEcho, ctx.get(),
                                        testing::EncodedString("other"),
                                        [&, ctx](Status s, Message*) {
                                          {
                                            std::lock_guard<std::mutex> lock(mu);
                                            other_status = std::move(s);
                                            other_thread = std::this_thread::get_id();
                                          }
                                          other_replied.CountDown();
                                        });
  });
  ClientContext ctx;
  ctx.set_timeout(30s);
  std::string reply;
  Status held = CallEcho(*d.channel, d.spec, &ctx, "hold", &reply);
  starter.join();
  REQUIRE(d.server.Shutdown(5s).ok());

  INFO(held.ToString() << " / other: " << other_status.ToString());
  REQUIRE(held.ok());
  REQUIRE(reply == "echo: hold");
  REQUIRE(released.load());
  REQUIRE(other_status.ok());
  // Settled where the reply was read: on the thread blocked in the synchronous call.
  REQUIRE(other_thread == std::this_thread::get_id());
}

TEST_CASE("caller reads reply: an asynchronous call after a synchronous one is answered at once",
          "[leader]") {
  // After a synchronous caller stepped down, nobody polls the socket until something needs it;
  // an asynchronous call is such a thing. Were it left to the I/O thread's idle wake-up (up to
  // 1 s), ten of them would take about 5 s.
  EchoDeployment d(nullptr);
  REQUIRE(d.Start().ok());
  std::vector<Status> statuses;
  std::chrono::steady_clock::duration async_total{0};
  for (int i = 0; i < 10; ++i) {
    ClientContext sync_ctx;
    sync_ctx.set_timeout(10s);
    statuses.push_back(CallEcho(*d.channel, d.spec, &sync_ctx, "sync", nullptr));
    ClientContext async_ctx;
    async_ctx.set_timeout(10s);
    StringValue req;
    req.set_value("async");
    auto started = std::chrono::steady_clock::now();
    auto r = internal::AsyncUnaryCall<StringValue, StringValue>(d.channel.get(), d.spec.spec(),
                                                                EchoSpec::kEcho, &async_ctx, req)
                 .get();
    async_total += std::chrono::steady_clock::now() - started;
    statuses.push_back(r.status());
  }
  REQUIRE(d.server.Shutdown(5s).ok());

  for (const Status& s : statuses) {
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  INFO("ten asynchronous calls took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(async_total).count() << " ms");
  REQUIRE(async_total < 2500ms);
}

TEST_CASE("caller reads reply: eight synchronous callers on one connection get their own replies",
          "[leader]") {
  // One of them leads at a time; the others wait to be woken by whoever read their reply.
  EchoDeployment d(nullptr);
  REQUIRE(d.Start().ok());
  constexpr int kThreads = 8;
  constexpr int kCalls = 250;
  std::vector<int> ok(kThreads, 0);
  std::vector<std::string> first_error(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        ClientContext ctx;
        ctx.set_timeout(20s);
        const std::string value = std::to_string(t) + "/" + std::to_string(i);
        std::string reply;
        Status s = CallEcho(*d.channel, d.spec, &ctx, value, &reply);
        if (s.ok() && reply == "echo: " + value) {
          ++ok[t];
        } else if (first_error[t].empty()) {
          first_error[t] = s.ok() ? "wrong reply " + reply + " to " + value : s.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(d.server.Shutdown(5s).ok());

  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t << ": " << first_error[t]);
    REQUIRE(ok[t] == kCalls);
  }
  REQUIRE(d.service.echo_calls.load() == kThreads * kCalls);
}

}  // namespace
}  // namespace brokrpc
