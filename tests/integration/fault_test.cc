// The fault suite on the private broker: restarts, forced closes, lost reply queues, duplicates.
// Every case counts succeeded / failed-with-a-status / lost and asserts that no call outlives its
// deadline without an outcome, and that no confirmed fire-and-forget message is lost.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
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

// What happened to a batch of calls: how many succeeded, failed (by status code), or had no
// outcome in time (lost).
struct Tally {
  int ok = 0;
  int lost = 0;
  std::map<StatusCode, int> failed;
  void Add(const Status& s) {
    if (s.ok()) {
      ++ok;
    } else {
      ++failed[s.code()];
    }
  }
  int settled() const {
    int n = ok;
    for (const auto& [code, count] : failed) n += count;
    return n;
  }
  // Failures with a code other than UNAVAILABLE and DEADLINE_EXCEEDED.
  int unexpected() const {
    int n = 0;
    for (const auto& [code, count] : failed) {
      if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded) n += count;
    }
    return n;
  }
  std::string Describe() const {
    std::string s = "ok " + std::to_string(ok) + ", lost " + std::to_string(lost);
    for (const auto& [code, n] : failed) s += ", " + StatusCodeName(code) + " " + std::to_string(n);
    return s;
  }
};

// The outcomes of a batch of calls or messages, recorded by their completion callbacks (brokrpc
// threads) and read by the test thread; split by whether the fault had begun when each one
// ended. Shared with the callbacks and owning the calls' contexts, so a call that ends after the
// test stopped waiting for it still writes into live memory.
class Outcomes {
 public:
  // A context for one more call (called by one thread per batch).
  ClientContext* NewContext(std::chrono::seconds deadline) {
    contexts_.push_back(std::make_unique<ClientContext>());
    contexts_.back()->set_timeout(deadline);
    return contexts_.back().get();
  }
  void Record(const std::string& id, const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    (fault_begun_ ? during_ : before_).Add(s);
    if (s.ok()) ok_ids_.insert(id);
    cv_.notify_all();
  }
  void BeginFault() {
    std::lock_guard<std::mutex> lock(mu_);
    fault_begun_ = true;
  }
  int ok_before() const {
    std::lock_guard<std::mutex> lock(mu_);
    return before_.ok;
  }
  // Waits until `n` outcomes arrived or `until`; then the tallies (`during` counts the lost).
  std::pair<Tally, Tally> Wait(int n, std::chrono::steady_clock::time_point until) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, until, [&] { return before_.settled() + during_.settled() >= n; });
    Tally during = during_;
    during.lost = n - before_.settled() - during_.settled();
    return {before_, during};
  }
  std::set<std::string> ok_ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_ids_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool fault_begun_ = false;
  Tally before_, during_;
  std::set<std::string> ok_ids_;
  std::vector<std::unique_ptr<ClientContext>> contexts_;
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

// Serves DurableSpec: Echo takes 10 ms (so that calls are in flight when the fault hits), Notify
// records ids.
class DurableService : public Service {
 public:
  explicit DurableService(const DurableSpec& s) : Service(s.spec) {
    AddUnaryHandler<StringValue, StringValue>(
        0, [this](ServerContext*, const StringValue* req, StringValue* resp) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++executions[req->value()];
          }
          std::this_thread::sleep_for(10ms);  // the handler's work (behaviour, not synchronisation)
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

// Runs `n` asynchronous calls and a stream of fire-and-forget messages across `fault` and counts
// every outcome, before and after the fault began. Some calls and messages must succeed before
// the fault and again after it; none may go without an outcome past its deadline; a call fails
// only with UNAVAILABLE or DEADLINE_EXCEEDED; every confirmed message is consumed.
void RunUnderFault(const std::function<void()>& fault, int n, std::chrono::seconds deadline) {
  DurableSpec spec;
  DurableService service(spec);
  auto server_broker = ConnectedBroker(FaultUrl(UniqueName("fault-server")));
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(FaultUrl(UniqueName("fault-client"))));

  auto calls = std::make_shared<Outcomes>();
  for (int i = 0; i < n; ++i) {
    StringValue req;
    req.set_value("call-" + std::to_string(i));
    internal::CallbackUnaryCall<StringValue, StringValue>(
        channel.get(), spec.spec, 0, calls->NewContext(deadline), req,
        [calls, id = req.value()](StatusOr<StringValue> r) { calls->Record(id, r.status()); });
  }
  // Fire-and-forget messages from before the fault until it is over, one every 5 ms (the pace
  // spreads them over the fault; it synchronises nothing).
  auto notes = std::make_shared<Outcomes>();
  std::atomic<bool> fault_over{false};
  std::atomic<int> notes_sent{0};
  std::thread publisher([&, notes] {
    for (int i = 0; !fault_over.load(); ++i) {
      const std::string id = "note-" + std::to_string(i);
      brokrpc::internal::StartPublish(*channel, spec.spec, 1, notes->NewContext(deadline),
                                      testing::EncodedString(id),
                                      [notes, id](Status s) { notes->Record(id, s); });
      ++notes_sent;
      std::this_thread::sleep_for(5ms);
    }
  });
  struct JoinOnExit {  // a failed REQUIRE below must not leave the publisher running
    std::atomic<bool>& over;
    std::thread& thread;
    ~JoinOnExit() {
      over = true;
      if (thread.joinable()) thread.join();
    }
  } join_publisher{fault_over, publisher};
  // Before the fault: calls are answered and messages confirmed (the load is real).
  REQUIRE(testing::Eventually([&] { return calls->ok_before() >= 50; }, 60s));
  REQUIRE(testing::Eventually([&] { return notes->ok_before() >= 10; }, 60s));
  calls->BeginFault();
  notes->BeginFault();
  fault();
  fault_over = true;
  publisher.join();

  auto give_up = std::chrono::steady_clock::now() + deadline + 5s;
  auto [calls_before, calls_during] = calls->Wait(n, give_up);
  auto [notes_before, notes_during] = notes->Wait(notes_sent.load(), give_up);
  int duplicates = 0;
  {
    std::lock_guard<std::mutex> lock(service.mu);
    for (const auto& [id, count] : service.executions) duplicates += count - 1;
  }
  WARN("calls before the fault: " << calls_before.Describe() << "; after it began: "
                                  << calls_during.Describe() << "; handler re-executions "
                                  << duplicates << "\nfire-and-forget (" << notes_sent.load()
                                  << ") before the fault: " << notes_before.Describe()
                                  << "; after it began: " << notes_during.Describe());
  CHECK(calls_during.lost == 0);
  CHECK(notes_during.lost == 0);
  CHECK(calls_before.settled() + calls_during.settled() == n);
  CHECK(calls_before.unexpected() == 0);
  CHECK(calls_during.unexpected() == 0);
  // After the fault the connections came back: new calls succeed, new messages are confirmed.
  REQUIRE(testing::Eventually(
      [&] {
        ClientContext ctx;
        ctx.set_timeout(2s);
        StringValue req, resp;
        req.set_value("after");
        return internal::BlockingUnaryCall(channel.get(), spec.spec, 0, &ctx, req, &resp).ok();
      },
      60s));
  ClientContext after_note;
  after_note.set_timeout(10s);
  StringValue last;
  last.set_value("note-after");
  REQUIRE(internal::BlockingFireAndForget(channel.get(), spec.spec, 1, &after_note, last).ok());
  // Every confirmed fire-and-forget message was consumed (the queue is durable, the messages
  // persistent).
  std::set<std::string> confirmed = notes->ok_ids();
  confirmed.insert("note-after");
  std::set<std::string> missing;
  testing::Eventually(
      [&] {
        std::lock_guard<std::mutex> lock(service.mu);
        missing.clear();
        for (const auto& id : confirmed) {
          if (!service.notified.count(id)) missing.insert(id);
        }
        return missing.empty();
      },
      30s);
  INFO(missing.size() << " of " << confirmed.size() << " confirmed messages never consumed, e.g. "
                      << (missing.empty() ? "" : *missing.begin()));
  CHECK(missing.empty());
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
  std::atomic<int> rogue_publish_failures{0};  // counted on the consumer's thread, checked here
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
        if (!rogue_pub->Publish(reply).ok()) ++rogue_publish_failures;
        ++rogue_replies;
        return ConsumeResult::Retry(0ms);
      });
  REQUIRE(requeuer.ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;
  std::string reply;
  REQUIRE(testing::CallEcho(*channel, spec, &ctx, "x", &reply).ok());
  CHECK(reply == "first: x");
  CHECK(rogue_publish_failures.load() == 0);
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
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // not at the 10 s deadline
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
  // An asynchronous call with wait-for-ready returns at once (this thread goes on to restart
  // the broker, so a call that blocked its caller would end at its 60 s deadline instead), and
  // waits without a thread; cancelled, it ends at once.
  ClientContext async_ctx, cancelled_ctx;
  for (ClientContext* c : {&async_ctx, &cancelled_ctx}) {
    c->set_wait_for_ready(true);
    c->set_timeout(60s);
  }
  StringValue async_req;
  async_req.set_value("async");
  auto async_call = internal::AsyncUnaryCall<StringValue, StringValue>(
      channel.get(), spec.spec(), EchoSpec::kEcho, &async_ctx, async_req);
  auto cancelled_call = internal::AsyncUnaryCall<StringValue, StringValue>(
      channel.get(), spec.spec(), EchoSpec::kEcho, &cancelled_ctx, async_req);
  cancelled_ctx.TryCancel();
  auto cancelled = cancelled_call.get();  // before the broker is back
  CHECK(cancelled.status().code() == StatusCode::kCancelled);
  // ... and a long one sees the broker come back; so does a retry policy. Both are synchronous
  // calls made on their own threads during the outage; the threads only record, this thread
  // asserts.
  testing::Latch calling(2);  // each thread counts down just before its call
  std::promise<Status> waiting, retrying;
  std::promise<int> retry_attempts;
  std::thread waiter([&] {
    ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_timeout(60s);
    std::string reply;
    calling.CountDown();
    Status s = testing::CallEcho(*channel, spec, &ctx, "waited", &reply);
    if (s.ok() && reply != "echo: waited") s = InternalError("wrong reply: " + reply);
    waiting.set_value(s);
  });
  std::thread retrier([&] {
    ClientContext ctx;
    ctx.set_timeout(60s);
    ctx.set_retry_policy(
        RetryPolicy{.max_attempts = 100, .initial_backoff = 100ms, .max_backoff = 500ms});
    std::string reply;
    calling.CountDown();
    retrying.set_value(testing::CallEcho(*channel, spec, &ctx, "retried", &reply));
    retry_attempts.set_value(ctx.attempts());
  });
  struct JoinOnExit {  // a failed REQUIRE below must not leave the threads running
    std::thread& a;
    std::thread& b;
    ~JoinOnExit() {
      if (a.joinable()) a.join();
      if (b.joinable()) b.join();
    }
  } join_callers{waiter, retrier};
  auto waited_call = waiting.get_future();
  auto retried_call = retrying.get_future();
  REQUIRE(calling.Wait());
  // While the broker is down neither can end: one waits, the other fails and backs off.
  CHECK(waited_call.wait_for(0s) == std::future_status::timeout);
  CHECK(retried_call.wait_for(0s) == std::future_status::timeout);
  CHECK(async_call.wait_for(0s) == std::future_status::timeout);
  RabbitCtl("start_app");
  auto async_reply = async_call.get();
  INFO("asynchronous: " << async_reply.status().ToString());
  CHECK(async_reply.ok());
  if (async_reply.ok()) CHECK(async_reply->value() == "echo: async");
  Status w = waited_call.get();
  Status r = retried_call.get();
  int attempts = retry_attempts.get_future().get();
  INFO("wait for ready: " << w.ToString() << "; retried: " << r.ToString() << " after " << attempts
                          << " attempts");
  CHECK(w.ok());
  CHECK(r.ok());
  CHECK(attempts > 1);  // the first attempt(s) failed during the outage
  REQUIRE(server.Shutdown(5s).ok());
}

}  // namespace
}  // namespace brokrpc
