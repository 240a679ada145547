// Broker flow control on a real broker: a memory alarm (the watermark set tiny with rabbitmqctl)
// makes RabbitMQ block publishing connections (connection.blocked). Calls without wait_for_ready
// fail at once with UNAVAILABLE; with it they wait and end at their deadline; what waited goes
// out when the alarm clears, nothing lost.
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
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
using testing::RabbitCtl;
using testing::RabbitUrl;
using testing::StringValue;
using testing::UniqueName;

// A memory alarm for the scope: the node's watermark set tiny, and back to the private node's
// configured 1 GB at the end (whatever the test's outcome).
struct MemoryAlarm {
  MemoryAlarm() { RabbitCtl("set_vm_memory_high_watermark 0.000001"); }
  ~MemoryAlarm() { Clear(); }
  void Clear() {
    if (cleared) return;
    cleared = true;
    RabbitCtl("set_vm_memory_high_watermark absolute 1GB");
  }
  bool cleared = false;
};

TEST_CASE("flow control: a blocked broker fails fast, or holds calls until it unblocks", "[flow]") {
  EchoSpec spec(UniqueName("flow"));
  EchoService service(spec);
  auto server_broker = ConnectedBroker(RabbitUrl());
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto client_broker = ConnectedBroker(RabbitUrl());
  auto channel = CreateChannel(client_broker);
  {
    ClientContext warm_up;  // a connection that has published is one the broker blocks
    warm_up.set_timeout(10s);
    REQUIRE(CallEcho(*channel, spec, &warm_up, "before", nullptr).ok());
  }

  MemoryAlarm alarm;
  // RabbitMQ blocks a connection (and says so) when it publishes during the alarm: probe with
  // fire-and-forget messages until the client has been told.
  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::shared_ptr<std::promise<Status>>> probes;
  bool blocked = false;
  for (int i = 0; i < 6 && !blocked; ++i) {
    auto& ctx = contexts.emplace_back(std::make_unique<ClientContext>());
    auto probe = probes.emplace_back(std::make_shared<std::promise<Status>>());
    brokrpc::internal::StartPublish(*channel, spec.spec(), EchoSpec::kNotify, ctx.get(),
                                    testing::EncodedString("probe"),
                                    [probe](Status s) { probe->set_value(std::move(s)); });
    blocked = testing::Eventually([&] { return client_broker->blocked_reason().has_value(); }, 5s);
  }
  const std::string reason = client_broker->blocked_reason().value_or("");
  const int echo_calls_when_blocked = service.echo_calls.load();
  const int notify_calls_when_blocked = service.notify_calls.load();

  // Without wait_for_ready: UNAVAILABLE at once, nothing sent.
  ClientContext fail_fast;
  fail_fast.set_timeout(10s);
  auto started = std::chrono::steady_clock::now();
  Status fast = CallEcho(*channel, spec, &fail_fast, "fast", nullptr);
  auto fast_took = std::chrono::steady_clock::now() - started;
  ClientContext notify_fast;
  Status notify_fast_status = testing::CallNotify(*channel, spec, &notify_fast, "fast");

  // With wait_for_ready: held until the deadline.
  ClientContext held;
  held.set_timeout(1500ms);
  held.set_wait_for_ready(true);
  Status expired = CallEcho(*channel, spec, &held, "expires", nullptr);

  // With wait_for_ready and time to spare: held until the alarm clears, then answered. The
  // fire-and-forget messages are large (25 MB in all): written into a socket the broker no longer
  // reads they would fill it, and the thread writing would hang in send() until the alarm clears.
  constexpr int kCalls = 50;
  constexpr int kNotifies = 200;
  const std::string padding(128 * 1024, 'x');
  std::vector<std::future<StatusOr<StringValue>>> calls;
  std::vector<std::promise<Status>> notified(kNotifies);
  std::vector<std::unique_ptr<ClientContext>> held_contexts;
  std::atomic<bool> all_started{false};
  std::thread starter([&] {
    for (int i = 0; i < kNotifies; ++i) {
      if (i < kCalls) {
        auto& ctx = held_contexts.emplace_back(std::make_unique<ClientContext>());
        ctx->set_timeout(60s);
        ctx->set_wait_for_ready(true);
        StringValue req;
        req.set_value("held " + std::to_string(i));
        calls.push_back(internal::AsyncUnaryCall<StringValue, StringValue>(
            channel.get(), spec.spec(), EchoSpec::kEcho, ctx.get(), req));
      }
      auto& nctx = held_contexts.emplace_back(std::make_unique<ClientContext>());
      nctx->set_wait_for_ready(true);  // no deadline: it waits for as long as it takes
      brokrpc::internal::StartPublish(
          *channel, spec.spec(), EchoSpec::kNotify, nctx.get(),
          testing::EncodedString("notify " + std::to_string(i) + padding),
          [&notified, i](Status s) { notified[i].set_value(std::move(s)); });
    }
    all_started = true;
  });
  // Starting them never waits for the broker.
  const bool started_while_blocked = testing::Eventually([&] { return all_started.load(); }, 30s);
  int calls_done_while_blocked = 0;
  if (started_while_blocked) {
    for (auto& c : calls) calls_done_while_blocked += c.wait_for(0s) == std::future_status::ready;
  }
  // Nothing reached the server while blocked.
  const int echo_calls_while_blocked = service.echo_calls.load() - echo_calls_when_blocked;
  const int notify_calls_while_blocked = service.notify_calls.load() - notify_calls_when_blocked;

  alarm.Clear();
  starter.join();
  std::vector<Status> call_statuses;
  for (auto& c : calls) call_statuses.push_back(c.get().status());
  std::vector<Status> notify_statuses;
  for (auto& n : notified) notify_statuses.push_back(n.get_future().get());
  for (auto& p : probes) notify_statuses.push_back(p->get_future().get());
  const int notifications = kNotifies + static_cast<int>(probes.size());
  const bool all_notified =
      testing::Eventually([&] { return service.notify_calls.load() == notifications; }, 30s);
  const bool unblocked = testing::Eventually([&] { return !client_broker->blocked_reason(); });
  REQUIRE(server.Shutdown(5s).ok());

  REQUIRE(blocked);
  INFO("blocked: " << reason);
  INFO("fail fast: " << fast.ToString());
  REQUIRE(fast.code() == StatusCode::kUnavailable);
  REQUIRE(fast.message().find("blocks publishing") != std::string::npos);
  REQUIRE(fast_took < 5s);  // at once, not at its 10 s deadline
  INFO("notify fail fast: " << notify_fast_status.ToString());
  REQUIRE(notify_fast_status.code() == StatusCode::kUnavailable);
  INFO("held: " << expired.ToString());
  REQUIRE(expired.code() == StatusCode::kDeadlineExceeded);
  REQUIRE(started_while_blocked);
  REQUIRE(echo_calls_while_blocked == 0);
  REQUIRE(notify_calls_while_blocked == 0);
  REQUIRE(calls_done_while_blocked == 0);
  for (const Status& s : call_statuses) {
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  for (const Status& s : notify_statuses) {
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  REQUIRE(all_notified);
  REQUIRE(unblocked);
  // The expired request went out after the alarm too; the server skipped it unrun.
  REQUIRE(service.echo_calls.load() == 1 + kCalls);
}

}  // namespace
}  // namespace brokrpc
