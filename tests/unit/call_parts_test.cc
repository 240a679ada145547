// The client's call parts without a broker: the preparation step and the attempt driver's
// decisions (pure), and the driver with a scripted attempt starter.
#include <catch2/catch.hpp>
#include <deque>
#include <thread>

#include "rpc/call_attempts.h"
#include "rpc/call_preparation.h"

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;

ServiceSpec TestService() {
  ServiceSpec s{.full_name = "test.Parts", .package = "test"};
  s.methods.push_back(MethodSpec{.name = "Do", .routing_key = "/test/Parts/Do"});
  return s;
}

ResolvedExchange NamedExchange(std::string name) {
  ResolvedExchange e;
  e.name = std::move(name);
  return e;
}

TEST_CASE("call preparation: metadata becomes headers, reserved keys are refused", "[client]") {
  ServiceSpec service = TestService();
  ClientContext ctx;
  ctx.AddMetadata("tenant", "a");
  auto ok = PrepareCall(service, ctx, NamedExchange("ex"), std::nullopt);
  REQUIRE(ok.ok());
  REQUIRE(ok->headers.FindString("tenant") != nullptr);
  CHECK(*ok->headers.FindString("tenant") == "a");
  ctx.AddMetadata("x-brokrpc-deadline", "1");
  auto refused = PrepareCall(service, ctx, NamedExchange("ex"), std::nullopt);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("reserved") != std::string::npos);
}

TEST_CASE("call preparation: an exchange without a name is a configuration error", "[client]") {
  ServiceSpec service = TestService();
  ClientContext ctx;
  auto s = PrepareCall(service, ctx, NamedExchange(""), 1s);
  CHECK(s.status().code() == StatusCode::kFailedPrecondition);
  CHECK(s.status().message().find("no exchange name") != std::string::npos);
}

TEST_CASE("call preparation: deadlines — the caller's, the default, or none", "[client]") {
  ServiceSpec service = TestService();
  const MethodSpec& method = service.methods[0];
  SECTION("no caller deadline and no default (fire-and-forget): no expiration, no header") {
    ClientContext ctx;
    auto p = PrepareCall(service, ctx, NamedExchange("ex"), std::nullopt);
    REQUIRE(p.ok());
    CHECK(!p->deadline);
    Message m;
    ApplyPreparedCall(*p, method, &m);
    CHECK(m.exchange == "ex");
    CHECK(m.routing_key == "/test/Parts/Do");
    CHECK(!m.properties.expiration);
    CHECK(m.properties.headers.Find(kDeadlineHeader) == nullptr);
  }
  SECTION("the default timeout applies when the caller set none (unary)") {
    ClientContext ctx;
    auto before = SystemClock::now();
    auto p = PrepareCall(service, ctx, NamedExchange("ex"), 30s);
    REQUIRE(p.ok());
    REQUIRE(p->deadline);
    CHECK(*p->deadline >= before + 30s);
    Message m;
    ApplyPreparedCall(*p, method, &m);
    CHECK(m.properties.expiration);
    const FieldValue* header = m.properties.headers.Find(kDeadlineHeader);
    REQUIRE(header != nullptr);
    CHECK(*header == FieldValue(ToEpochMillis(*p->deadline)));
  }
  SECTION("the caller's deadline wins over the default and reaches fire-and-forget") {
    ClientContext ctx;
    auto deadline = SystemClock::now() + 5s;
    ctx.set_deadline(deadline);
    for (auto def : {std::optional<std::chrono::milliseconds>(30s),
                     std::optional<std::chrono::milliseconds>()}) {
      auto p = PrepareCall(service, ctx, NamedExchange("ex"), def);
      REQUIRE(p.ok());
      CHECK(p->deadline == deadline);
      Message m;
      ApplyPreparedCall(*p, method, &m);
      CHECK(m.properties.expiration);
    }
  }
}

AttemptVerdictInput Failed(int attempt, StatusCode code) {
  AttemptVerdictInput in;
  in.attempt = attempt;
  in.status = Status(code, "failed");
  in.now = SystemClock::now();
  in.deadline = in.now + 10s;
  in.backoff = 10ms;
  return in;
}

RetryPolicy ThreeUnavailable() {
  RetryPolicy p;
  p.max_attempts = 3;
  p.retryable_codes = {StatusCode::kUnavailable};
  p.initial_backoff = 1ms;
  return p;
}

TEST_CASE("attempt decisions: the retry policy, within the deadline", "[client]") {
  RetryPolicy policy = ThreeUnavailable();
  CHECK(TryAgain(policy, Failed(1, StatusCode::kUnavailable)));
  CHECK(TryAgain(policy, Failed(2, StatusCode::kUnavailable)));
  CHECK_FALSE(TryAgain(policy, Failed(3, StatusCode::kUnavailable)));  // attempts used up
  CHECK_FALSE(TryAgain(policy, Failed(1, StatusCode::kInternal)));     // not retryable
  AttemptVerdictInput ok = Failed(1, StatusCode::kUnavailable);
  ok.status = OkStatus();
  CHECK_FALSE(TryAgain(policy, ok));
  AttemptVerdictInput cancelled = Failed(1, StatusCode::kUnavailable);
  cancelled.cancelled = true;
  CHECK_FALSE(TryAgain(policy, cancelled));
  AttemptVerdictInput no_deadline = Failed(1, StatusCode::kUnavailable);
  no_deadline.deadline.reset();
  CHECK_FALSE(TryAgain(policy, no_deadline));
  AttemptVerdictInput late = Failed(1, StatusCode::kUnavailable);
  late.backoff = 10s;  // the next attempt would start at the deadline
  CHECK_FALSE(TryAgain(policy, late));
}

TEST_CASE("attempt decisions: wait_for_ready retries unroutable requests, by outcome only",
          "[client]") {
  RetryPolicy none;  // one attempt
  AttemptVerdictInput in = Failed(5, StatusCode::kUnavailable);
  in.wait_for_ready = true;
  in.unroutable = true;
  CHECK(TryAgain(none, in));
  in.unroutable = false;  // UNAVAILABLE for another reason, even with "312" in its text
  in.status = UnavailableError("NO_ROUTE 312 at host 312.example:312");
  CHECK_FALSE(TryAgain(none, in));
  in.unroutable = true;
  in.wait_for_ready = false;
  CHECK_FALSE(TryAgain(none, in));
  in.wait_for_ready = true;
  in.now = *in.deadline;  // never past the deadline
  CHECK_FALSE(TryAgain(none, in));
}

TEST_CASE("attempt decisions: backoff grows by the multiplier within [1 ms, max]", "[client]") {
  RetryPolicy p;
  p.backoff_multiplier = 2.0;
  p.max_backoff = 50ms;
  CHECK(NextBackoff(p, 10ms) == 20ms);
  CHECK(NextBackoff(p, 40ms) == 50ms);
  CHECK(NextBackoff(p, 0ms) == 1ms);
  CHECK(MayRepeat(p, true));
  p.max_attempts = 1;
  CHECK_FALSE(MayRepeat(p, false));
  p.max_attempts = 2;
  CHECK(MayRepeat(p, false));
}

// Plays back scripted attempt outcomes; optionally settles them on another thread.
class ScriptedStarter : public AttemptStarter {
 public:
  std::deque<Status> outcomes;
  bool unroutable = false;
  bool from_thread = false;
  std::vector<std::string> requests_seen;  // the request body at each attempt
  std::vector<std::thread> threads;

  ~ScriptedStarter() override {
    for (auto& t : threads) t.join();
  }
  void StartAttempt(ClientCall& call, bool, AttemptDone done) override {
    requests_seen.push_back(call.request.body);
    call.request.body += "+mutated";  // an attempt may change the request; a retry restores it
    Status s = outcomes.front();
    outcomes.pop_front();
    auto settle = [s, done = std::move(done), unroutable = unroutable]() {
      Message reply;
      reply.body = "reply";
      done(s, s.ok() ? &reply : nullptr, unroutable);
    };
    if (from_thread) {
      threads.emplace_back(settle);
    } else {
      settle();
    }
  }
};

Status RunWithWaiter(const std::shared_ptr<ScriptedStarter>& starter, ClientCall* call,
                     const RetryPolicy& policy) {
  SyncWaiter waiter;
  CallAttempts::Run(starter, call, nullptr, true, policy, 10s, waiter.schedule(), waiter.done());
  return waiter.Wait();
}

TEST_CASE("attempt driver: retries restore the request and count attempts", "[client]") {
  for (bool from_thread : {false, true}) {
    auto starter = std::make_shared<ScriptedStarter>();
    starter->from_thread = from_thread;
    starter->outcomes = {UnavailableError("a"), UnavailableError("b"), OkStatus()};
    ClientContext ctx;
    ClientCall call{.context = &ctx};
    call.request.body = "req";
    Status s = RunWithWaiter(starter, &call, ThreeUnavailable());
    CHECK(s.ok());
    CHECK(ctx.attempts() == 3);
    CHECK(ctx.deadline());  // every attempt shares one deadline
    CHECK(call.response.body == "reply");
    CHECK(starter->requests_seen == std::vector<std::string>{"req", "req", "req"});
  }
}

TEST_CASE("attempt driver: one attempt without a policy, the last failure is returned",
          "[client]") {
  auto starter = std::make_shared<ScriptedStarter>();
  starter->outcomes = {UnavailableError("down")};
  ClientContext ctx;
  ClientCall call{.context = &ctx};
  Status s = RunWithWaiter(starter, &call, RetryPolicy{});
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(ctx.attempts() == 1);
  CHECK_FALSE(ctx.deadline());  // a single attempt leaves the deadline to the call
}

TEST_CASE("attempt driver: wait_for_ready tries unroutable requests again", "[client]") {
  auto starter = std::make_shared<ScriptedStarter>();
  starter->unroutable = true;
  starter->outcomes = {UnavailableError("nobody"), UnavailableError("nobody"), OkStatus()};
  ClientContext ctx;
  ctx.set_wait_for_ready(true);
  ClientCall call{.context = &ctx};
  Status s = RunWithWaiter(starter, &call, RetryPolicy{});
  CHECK(s.ok());
  CHECK(ctx.attempts() == 3);
}

TEST_CASE("attempt driver: a call whose channel is gone ends with CANCELLED", "[client]") {
  std::weak_ptr<AttemptStarter> gone;
  ClientContext ctx;
  ClientCall call{.context = &ctx};
  SyncWaiter waiter;
  CallAttempts::Run(gone, &call, nullptr, true, RetryPolicy{}, 10s, waiter.schedule(),
                    waiter.done());
  Status s = waiter.Wait();
  CHECK(s.code() == StatusCode::kCancelled);
  CHECK(s.message().find("destroyed") != std::string::npos);
}

}  // namespace
}  // namespace brokrpc::internal
