// Partial services on a real broker: two server processes each override different methods of one
// generated service; every call reaches the process that implements its method, none is answered
// UNIMPLEMENTED or lost, and a method nobody implements has no route.

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "partial/partial.brokrpc.pb.h"
#include "support/child_process.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using google::protobuf::StringValue;
using test::partial::v1::Partial;
using testing::RabbitUrl;
using testing::UniqueName;

constexpr int kCalls = 1000;

// Outcome counts of a batch of calls (collected, then asserted on the test's thread).
struct Tally {
  int ok = 0;
  int unimplemented = 0;
  int other = 0;
  int wrong_server = 0;
  std::string first_error;

  void Add(const Status& s) {
    if (s.ok()) {
      ++ok;
    } else if (s.code() == StatusCode::kUnimplemented) {
      ++unimplemented;
    } else {
      ++other;
    }
    if (!s.ok() && first_error.empty()) first_error = s.ToString();
  }
};

// kCalls asynchronous unary calls through `call` (Greet or Shout); each reply must name `role`.
template <typename Call>
Tally CallMany(Call call, const std::string& role) {
  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::future<StatusOr<StringValue>>> futures;
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(std::make_unique<ClientContext>());
    contexts.back()->set_deadline(std::chrono::system_clock::now() + 60s);
    StringValue request;
    request.set_value(std::to_string(i));
    futures.push_back(call(contexts.back().get(), request));
  }
  Tally tally;
  for (int i = 0; i < kCalls; ++i) {
    StatusOr<StringValue> reply = futures[i].get();
    tally.Add(reply.status());
    if (reply.ok() && reply->value() != role + ":" + std::to_string(i)) ++tally.wrong_server;
  }
  return tally;
}

// kCalls fire-and-forget messages through `send` (Notify or Record).
template <typename Send>
Tally SendMany(Send send) {
  std::vector<std::unique_ptr<ClientContext>> contexts;
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(std::make_unique<ClientContext>());
    contexts.back()->set_deadline(std::chrono::system_clock::now() + 60s);
    StringValue message;
    message.set_value(std::to_string(i));
    futures.push_back(send(contexts.back().get(), message));
  }
  Tally tally;
  for (auto& f : futures) tally.Add(f.get());
  return tally;
}

TEST_CASE("partial service: two processes split one service by the methods they override",
          "[rpc][partial]") {
  std::string exchange = UniqueName("partial");
  testing::ChildProcess a({PARTIAL_TEST_SERVER, RabbitUrl(), exchange, "a"});
  testing::ChildProcess b({PARTIAL_TEST_SERVER, RabbitUrl(), exchange, "b"});
  BrokerOptions options;
  options.default_exchange.name = exchange;
  options.default_exchange.auto_delete = true;
  auto broker = Broker::Create(RabbitUrl(), options).value();
  REQUIRE(broker->Connect().ok());
  auto stub = Partial::NewStub(CreateChannel(broker));

  Tally greet = CallMany(
      [&](ClientContext* ctx, const StringValue& r) { return stub->AsyncGreet(ctx, r); }, "a");
  Tally shout = CallMany(
      [&](ClientContext* ctx, const StringValue& r) { return stub->AsyncShout(ctx, r); }, "b");
  INFO("greet: " << greet.first_error << " shout: " << shout.first_error);
  CHECK(greet.ok == kCalls);
  CHECK(greet.unimplemented == 0);
  CHECK(greet.wrong_server == 0);
  CHECK(shout.ok == kCalls);
  CHECK(shout.unimplemented == 0);
  CHECK(shout.wrong_server == 0);

  // Fire-and-forget: every message confirmed and routed, then counted by its own server only
  // (a message consumed by the other one would be rejected as UNIMPLEMENTED and never counted).
  Tally notify =
      SendMany([&](ClientContext* ctx, const StringValue& m) { return stub->AsyncNotify(ctx, m); });
  Tally record =
      SendMany([&](ClientContext* ctx, const StringValue& m) { return stub->AsyncRecord(ctx, m); });
  INFO("notify: " << notify.first_error << " record: " << record.first_error);
  CHECK(notify.ok == kCalls);
  CHECK(record.ok == kCalls);
  StringValue wait;
  wait.set_value("wait:" + std::to_string(kCalls));
  StringValue counted;
  ClientContext greet_wait;
  greet_wait.set_deadline(std::chrono::system_clock::now() + 30s);
  REQUIRE(stub->Greet(&greet_wait, wait, &counted).ok());
  CHECK(counted.value() == "a:" + std::to_string(kCalls));
  ClientContext shout_wait;
  shout_wait.set_deadline(std::chrono::system_clock::now() + 30s);
  REQUIRE(stub->Shout(&shout_wait, wait, &counted).ok());
  CHECK(counted.value() == "b:" + std::to_string(kCalls));

  // Overridden by neither: no queue is bound, the call has no route.
  ClientContext nobody;
  nobody.set_deadline(std::chrono::system_clock::now() + 10s);
  StringValue reply;
  Status s = stub->Nobody(&nobody, wait, &reply);
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace brokrpc
