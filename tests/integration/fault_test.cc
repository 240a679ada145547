// The fault suite on the private broker: restarts, forced closes, lost reply queues, duplicates.
// Every case counts succeeded / failed-with-a-status / lost and asserts that no call outlives its
// deadline without an outcome, and that no confirmed fire-and-forget message is lost.
#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::RabbitCtl;
using testing::RabbitUrl;
using testing::StringValue;
using testing::UniqueName;

// A URL for the private broker with a connection name and fast reconnects.
std::string FaultUrl(const std::string& name) {
  std::string url = RabbitUrl();
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "name=" + name +
         "&heartbeat=5&reconnect_initial_ms=100&reconnect_max_ms=1000";
}

// What happened to a batch of calls.
struct Tally {
  int ok = 0;
  int lost = 0;  // no outcome by the deadline (plus a grace period)
  std::map<StatusCode, int> failed;
  std::string Describe() const {
    std::string s = "ok " + std::to_string(ok) + ", lost " + std::to_string(lost);
    for (const auto& [code, n] : failed) s += ", " + StatusCodeName(code) + " " + std::to_string(n);
    return s;
  }
};

// A durable service: exchange and notify queue survive a broker restart.
struct DurableSpec {
  std::string exchange = UniqueName("durable");
  std::string echo_key = "/fault/Echo/Echo";
  std::string notify_key = "/fault/Echo/Notify";
  std::string notify_queue = UniqueName("notify");
  ServiceSpec spec{
      .full_name = "fault.Echo",
      .package = "fault",
      .exchange = {.name = exchange, .durable = true},
      .methods = {MethodSpec{.name = "Echo",
                             .routing_key = echo_key,
                             .kind = MethodKind::kUnary,
                             .request_type = "google.protobuf.StringValue",
                             .response_type = "google.protobuf.StringValue",
                             .queue = {.name = UniqueName("echo"), .auto_delete = true}},
                  MethodSpec{.name = "Notify",
                             .routing_key = notify_key,
                             .kind = MethodKind::kFireAndForget,
                             .request_type = "google.protobuf.StringValue",
                             .queue = {.name = notify_queue, .durable = true}}}};
};

// Serves DurableSpec: Echo sleeps a little, Notify records ids.
class DurableService : public Service {
 public:
  explicit DurableService(const DurableSpec& s) : Service(s.spec) {
    AddUnaryHandler<StringValue, StringValue>(
        0, [this](ServerContext*, const StringValue* req, StringValue* resp) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++executions[req->value()];
          }
          std::this_thread::sleep_for(10ms);  // keeps the load going while the fault hits
          resp->set_value(req->value());
          return OkStatus();
        });
    AddFireAndForgetHandler<StringValue>(1, [this](ServerContext*, const StringValue* m) {
      std::lock_guard<std::mutex> lock(mu);
      notified.insert(m->value());
      return ConsumeResult::Ack();
    });
  }
  std::mutex mu;
  std::map<std::string, int> executions;
  std::set<std::string> notified;
};

// Runs `n` asynchronous calls and `n` fire-and-forget messages, applies `fault` after some
// completions, and tallies the outcomes.
void RunUnderFault(const std::function<void()>& fault, int n, std::chrono::seconds deadline) {
  DurableSpec spec;
  DurableService service(spec);
  auto server_broker = ConnectedBroker(FaultUrl(UniqueName("fault-server")));
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(FaultUrl(UniqueName("fault-client"))));

  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::future<StatusOr<StringValue>>> calls;
  std::vector<std::future<Status>> notes;
  std::vector<std::unique_ptr<ClientContext>> note_contexts;
  std::atomic<int> done{0};
  for (int i = 0; i < n; ++i) {
    contexts.push_back(std::make_unique<ClientContext>());
    contexts.back()->set_timeout(deadline);
    StringValue req;
    req.set_value("call-" + std::to_string(i));
    calls.push_back(internal::AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec, 0,
                                                                       contexts.back().get(), req));
  }
  REQUIRE(testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(service.mu);
    return service.executions.size() >= 50;
  }));
  std::thread faulter(fault);
  for (int i = 0; i < n; ++i) {  // fire-and-forget messages published during the fault
    note_contexts.push_back(std::make_unique<ClientContext>());
    note_contexts.back()->set_timeout(deadline);
    StringValue m;
    m.set_value("note-" + std::to_string(i));
    notes.push_back(
        internal::AsyncFireAndForget(channel.get(), spec.spec, 1, note_contexts.back().get(), m));
    if (i % 10 == 0) std::this_thread::sleep_for(5ms);
  }
  faulter.join();

  Tally tally;
  auto give_up = std::chrono::steady_clock::now() + deadline + 5s;
  for (auto& f : calls) {
    if (f.wait_until(give_up) != std::future_status::ready) {
      ++tally.lost;
      continue;
    }
    auto r = f.get();
    if (r.ok()) {
      ++tally.ok;
    } else {
      ++tally.failed[r.status().code()];
    }
  }
  std::set<std::string> confirmed;
  for (int i = 0; i < n; ++i) {
    if (notes[i].wait_until(give_up) == std::future_status::ready && notes[i].get().ok()) {
      confirmed.insert("note-" + std::to_string(i));
    }
  }
  int duplicates = 0;
  {
    std::lock_guard<std::mutex> lock(service.mu);
    for (const auto& [id, count] : service.executions) duplicates += count - 1;
  }
  WARN("calls: " << tally.Describe() << "; handler re-executions " << duplicates
                 << "; fire-and-forget confirmed " << confirmed.size() << " of " << n);
  CHECK(tally.lost == 0);
  CHECK(tally.ok + tally.failed[StatusCode::kUnavailable] +
            tally.failed[StatusCode::kDeadlineExceeded] ==
        n);
  // After the fault the connections came back: new calls succeed.
  REQUIRE(testing::Eventually(
      [&] {
        ClientContext ctx;
        ctx.set_timeout(2s);
        StringValue req, resp;
        req.set_value("after");
        return internal::BlockingUnaryCall(channel.get(), spec.spec, 0, &ctx, req, &resp).ok();
      },
      60s));
  // Every confirmed fire-and-forget message was consumed (the queue is durable, the messages
  // persistent).
  REQUIRE(testing::Eventually(
      [&] {
        std::lock_guard<std::mutex> lock(service.mu);
        for (const auto& id : confirmed) {
          if (!service.notified.count(id)) return false;
        }
        return true;
      },
      30s));
  REQUIRE(server.Shutdown(5s).ok());
  server_broker->DeleteQueue(spec.notify_queue).IgnoreError();
}

TEST_CASE("fault: broker stop_app / start_app with 1000 calls in flight", "[fault][slow]") {
  RunUnderFault(
      [] {
        RabbitCtl("stop_app");
        RabbitCtl("start_app");
      },
      1000, 30s);
}

TEST_CASE("fault: a full broker node restart with calls in flight", "[fault][slow]") {
  RunUnderFault([] { testing::RabbitScript("restart"); }, 300, 45s);
}

TEST_CASE("fault: the broker force-closes the client's and the server's connections", "[fault]") {
  EchoSpec spec(UniqueName("closed"));
  std::unique_ptr<testing::Latch> release;
  EchoService service(spec, [&](ServerContext*, const StringValue& req, StringValue* resp) {
    if (req.value() == "slow") release->Wait(10s);  // held until the connection was closed
    resp->set_value("echo: " + req.value());
    return OkStatus();
  });
  std::string server_name = UniqueName("closed-server");
  std::string client_name = UniqueName("closed-client");
  auto server_broker = ConnectedBroker(FaultUrl(server_name));
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  auto channel = CreateChannel(ConnectedBroker(FaultUrl(client_name)));
  for (const std::string& victim : {client_name, server_name}) {
    INFO("closing " << victim);
    release = std::make_unique<testing::Latch>(1);
    ClientContext ctx;
    ctx.set_timeout(20s);
    StringValue req;
    req.set_value("slow");
    auto call = internal::AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec(),
                                                                   EchoSpec::kEcho, &ctx, req);
    REQUIRE(testing::Eventually([&] { return service.echo_calls.load() > 0; }));
    RabbitCtl("close_connection '" + testing::ConnectionPid(victim) + "' 'fault test'");
    if (victim == client_name) {
      // The client learns of the close from the broker; then the server may answer.
      auto r = call.get();
      CHECK(r.status().code() == StatusCode::kUnavailable);
      CHECK_THAT(r.status().message(), Catch::Contains("fault test"));
      release->CountDown();
    } else {
      release->CountDown();
    }
    auto r =
        victim == client_name ? StatusOr<StringValue>(UnavailableError("checked")) : call.get();
    if (victim == server_name) {
      // The server's unacked request is requeued and served again after it reconnects, or its
      // reply was lost with the connection: either way the call has an outcome.
      CHECK((r.ok() || r.status().code() == StatusCode::kUnavailable ||
             r.status().code() == StatusCode::kDeadlineExceeded));
    }
    service.echo_calls = 0;
    REQUIRE(testing::Eventually(
        [&] {
          ClientContext again;
          again.set_timeout(2s);
          std::string reply;
          return testing::CallEcho(*channel, spec, &again, "after", &reply).ok() &&
                 reply == "echo: after";
        },
        30s));
  }
  REQUIRE(server.Shutdown(5s).ok());
}

TEST_CASE("fault: the reply queue deleted under a call", "[fault]") {
  EchoSpec spec(UniqueName("noreply"));
  std::string reply_queue;
  std::mutex mu;
  // The handler holds the call until the reply queue is gone (rabbitmqctl takes seconds).
  std::promise<void> queue_deleted;
  std::shared_future<void> deleted = queue_deleted.get_future().share();
  EchoService service(spec, [&](ServerContext* ctx, const StringValue& req, StringValue* resp) {
    {
      std::lock_guard<std::mutex> lock(mu);
      reply_queue = ctx->reply_to();
    }
    if (req.value() == "held") deleted.wait_for(30s);
    resp->set_value(req.value());
    return OkStatus();
  });
  auto server_broker = ConnectedBroker(RabbitUrl());
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  ctx.set_timeout(20s);
  StringValue req;
  req.set_value("held");
  auto call = internal::AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec(),
                                                                 EchoSpec::kEcho, &ctx, req);
  REQUIRE(testing::Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !reply_queue.empty();
  }));
  RabbitCtl("delete_queue '" + reply_queue + "'");
  queue_deleted.set_value();  // the reply now goes nowhere: only the queue's loss ends the call
  auto start = std::chrono::steady_clock::now();
  auto r = call.get();
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // failed fast, not at the deadline
  ClientContext again;
  std::string reply;
  REQUIRE(testing::CallEcho(*channel, spec, &again, "next", &reply).ok());  // a new reply queue
  CHECK(reply == "next");
}

TEST_CASE("fault: a channel error is surfaced with RabbitMQ's reason", "[fault]") {
  auto broker = ConnectedBroker(RabbitUrl());
  std::string missing = UniqueName("missing");
  auto pub = broker->CreatePublisher({.exchange = {.name = missing}});
  Status s = (*pub)->Publish(Message{.body = "x", .routing_key = "k"});
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK_THAT(s.message(), Catch::Contains("404 NOT_FOUND - no exchange '" + missing + "'"));
  // The publisher keeps working once the exchange exists.
  REQUIRE(broker->DeclareExchange({.name = missing, .auto_delete = false}).ok());
  CHECK((*pub)->Publish(Message{.body = "x", .routing_key = "k"}).ok());
  REQUIRE(broker->DeleteExchange(missing).ok());
}

TEST_CASE("fault: a duplicate delivery after a lost ack gives the client one result", "[fault]") {
  EchoSpec spec(UniqueName("dup"), UniqueName("dup"), /*auto_delete=*/false);
  EchoService service(spec);
  auto server_broker = ConnectedBroker(RabbitUrl());
  // A server that answers, then "dies before the ack": the request goes back to the queue.
  auto rogue_broker = ConnectedBroker(RabbitUrl());
  auto rogue_pub = std::move(*rogue_broker->CreatePublisher());
  std::atomic<int> rogue_replies{0};
  auto requeuer = rogue_broker->Consume(
      BindingOptions{.exchange = {.name = spec.exchange(), .auto_delete = true},
                     .binding_keys = {spec.routing_key(EchoSpec::kEcho)},
                     .queue = {.name = spec.routing_key(EchoSpec::kEcho)}},
      [&](Message& req) {
        if (req.delivery->redelivered) return ConsumeResult::Retry(0ms);
        StringValue in, out;
        in.ParseFromString(req.body);
        out.set_value("first: " + in.value());
        Message reply{.exchange = req.delivery->exchange, .routing_key = *req.properties.reply_to};
        ProtobufSerializer::Encode(out, &reply).IgnoreError();
        reply.properties.correlation_id = req.properties.correlation_id;
        REQUIRE(rogue_pub->Publish(reply).ok());
        ++rogue_replies;
        return ConsumeResult::Retry(0ms);
      });
  REQUIRE(requeuer.ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  std::string reply;
  REQUIRE(testing::CallEcho(*channel, spec, &ctx, "x", &reply).ok());
  CHECK(reply == "first: x");
  // Hand the queue to the real server: it serves the redelivered request again.
  REQUIRE((*requeuer)->Cancel(5s).ok());
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  REQUIRE(testing::Eventually([&] { return service.echo_calls.load() >= 1; }));
  REQUIRE(testing::Eventually([&] { return channel->dropped_replies() >= 1; }));
  CHECK(rogue_replies.load() == 1);
  REQUIRE(server.Shutdown(5s).ok());
  REQUIRE(server_broker->DeleteQueue(spec.routing_key(EchoSpec::kEcho)).ok());
  REQUIRE(server_broker->DeleteQueue(spec.routing_key(EchoSpec::kNotify)).ok());
}

}  // namespace
}  // namespace brokrpc

#include <csignal>

#include "support/child_process.h"

namespace brokrpc {
namespace {

TEST_CASE("fault: SIGTERM drains a server run by RunUntilSignalled", "[fault]") {
  std::string exchange = UniqueName("signal");
  std::string package = UniqueName("signal");
  EchoSpec spec(exchange, package);
  testing::ChildProcess server({SIGNAL_TEST_SERVER, RabbitUrl(), exchange, package});
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  ctx.set_timeout(20s);
  StringValue req;
  req.set_value("slow");
  auto call = internal::AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec(),
                                                                 EchoSpec::kEcho, &ctx, req);
  // The request is with the handler (it takes 3 s) once the broker counts it unacknowledged.
  std::string queue = spec.routing_key(EchoSpec::kEcho);
  REQUIRE(testing::Eventually([&] {
    std::string out = RabbitCtl("list_queues -q --no-table-headers name messages_unacknowledged");
    return out.find(queue + "\t1") != std::string::npos;
  }));
  server.Signal(SIGTERM);
  auto r = call.get();
  INFO(r.status().ToString());
  REQUIRE(r.ok());  // the running handler finished and its reply went out
  CHECK(r->value() == "drained: slow");
  CHECK(server.Wait() == 0);
}

TEST_CASE("fault: calls during an outage fail at once, wait for ready, or retry", "[fault][slow]") {
  EchoSpec spec(UniqueName("outage"));
  EchoService service(spec);
  auto server_broker = ConnectedBroker(FaultUrl(UniqueName("outage-server")));
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto client_broker = ConnectedBroker(FaultUrl(UniqueName("outage-client")));
  auto channel = CreateChannel(client_broker);
  ClientContext warm;
  REQUIRE(testing::CallEcho(*channel, spec, &warm, "warm", nullptr).ok());

  RabbitCtl("stop_app");
  REQUIRE(testing::Eventually([&] { return !client_broker->is_connected(); }));
  // Without wait-for-ready: UNAVAILABLE at once.
  ClientContext prompt;
  prompt.set_timeout(10s);
  auto start = std::chrono::steady_clock::now();
  Status s = testing::CallEcho(*channel, spec, &prompt, "now", nullptr);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  // With wait-for-ready: a short deadline passes while waiting (never beyond it) ...
  ClientContext short_wait;
  short_wait.set_wait_for_ready(true);
  short_wait.set_timeout(500ms);
  start = std::chrono::steady_clock::now();
  CHECK(testing::CallEcho(*channel, spec, &short_wait, "soon", nullptr).code() ==
        StatusCode::kDeadlineExceeded);
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 450ms);
  CHECK(waited < 2s);
  // ... and a long one sees the broker come back; so does a retry policy.
  std::promise<Status> waiting, retrying;
  std::thread waiter([&] {
    ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_timeout(60s);
    std::string reply;
    waiting.set_value(testing::CallEcho(*channel, spec, &ctx, "waited", &reply));
  });
  std::thread retrier([&] {
    ClientContext ctx;
    ctx.set_timeout(60s);
    ctx.set_retry_policy(
        RetryPolicy{.max_attempts = 100, .initial_backoff = 100ms, .max_backoff = 500ms});
    std::string reply;
    retrying.set_value(testing::CallEcho(*channel, spec, &ctx, "retried", &reply));
    CHECK(ctx.attempts() > 1);
  });
  std::this_thread::sleep_for(1s);  // both are waiting or retrying during the outage
  RabbitCtl("start_app");
  Status w = waiting.get_future().get();
  Status r = retrying.get_future().get();
  waiter.join();
  retrier.join();
  CHECK(w.ok());
  CHECK(r.ok());
  REQUIRE(server.Shutdown(5s).ok());
}

}  // namespace
}  // namespace brokrpc
