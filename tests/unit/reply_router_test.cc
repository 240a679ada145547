// The reply router and the completion thread of asynchronous calls, on the memory:// transport.
#include "rpc/reply_router.h"

#include <catch2/catch.hpp>
#include <future>
#include <regex>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/call_paths.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "messaging/broker_core.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc::internal {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::EchoService;
using testing::EchoSpec;
using testing::StringValue;
using testing::UniqueName;

// A completion that hands its outcome to the test's thread.
struct Outcome {
  std::promise<Status> promise;
  std::future<Status> future = promise.get_future();
  ReplyRouter::Completion done() {
    return [this](Status s, Message*, bool) { promise.set_value(std::move(s)); };
  }
  // The status, or a test failure when none came within 10 s.
  Status Get() {
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

TEST_CASE("reply router: one reply queue, replaced whole after its loss", "[client]") {
  auto broker = ConnectedBroker("memory://" + UniqueName("router"));
  auto router = std::make_shared<ReplyRouter>(broker);
  CHECK(router->current() == nullptr);
  auto first = router->Ensure();
  REQUIRE(first.ok());
  std::shared_ptr<const ReplyRouter::ReplyQueue> queue = *first;
  CHECK(std::regex_match(queue->name, std::regex("response\\.[0-9a-f]{32}")));
  CHECK(queue->usable);
  auto again = router->Ensure();
  REQUIRE(again.ok());
  CHECK(again->get() == queue.get());
  CHECK(router->current() == queue);

  Outcome waiting;
  router->AddCall("c1", nullptr, SystemClock::now() + 30s, waiting.done());
  REQUIRE(broker->DeleteQueue(queue->name).ok());
  Status s = waiting.Get();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message().find("the reply queue is gone") != std::string::npos);
  // The snapshot a reader holds never changes; the router's is replaced.
  CHECK(queue->usable);
  REQUIRE(router->current() != nullptr);
  CHECK_FALSE(router->current()->usable);
  CHECK(router->current()->name == queue->name);
  auto next = router->Ensure();
  REQUIRE(next.ok());
  CHECK((*next)->usable);
  CHECK((*next)->name != queue->name);
}

TEST_CASE("reply router: replies by correlation id, deadlines, drops, destruction", "[client]") {
  auto broker = ConnectedBroker("memory://" + UniqueName("router"));
  auto router = std::make_shared<ReplyRouter>(broker);

  ClientContext ctx;
  Outcome replied;
  router->AddCall("c2", &ctx, SystemClock::now() + 30s, replied.done());
  Message reply;
  reply.properties.correlation_id = "c2";
  reply.properties.headers.Set("k", FieldValue(std::string("v")));
  reply.properties.headers.Set("x-brokrpc-other", FieldValue(std::string("hidden")));
  router->OnReply(Message(reply));
  CHECK(replied.Get().ok());
  CHECK(ctx.response_metadata().count("k") == 1);
  CHECK(ctx.response_metadata().count("x-brokrpc-other") == 0);

  router->OnReply(Message(reply));  // a duplicate: nobody waits for c2 any more
  Message anonymous;
  router->OnReply(std::move(anonymous));
  CHECK(router->dropped_replies() == 2);

  Outcome late;
  router->AddCall("c3", nullptr, SystemClock::now() + 20ms, late.done());
  CHECK(late.Get().code() == StatusCode::kDeadlineExceeded);

  Outcome orphaned;
  router->AddCall("c4", nullptr, SystemClock::now() + 30s, orphaned.done());
  router.reset();
  Status s = orphaned.Get();
  CHECK(s.code() == StatusCode::kCancelled);
  CHECK(s.message().find("destroyed") != std::string::npos);
}

TEST_CASE("asynchronous unary calls: user callbacks on the pool, generated futures inline",
          "[client]") {
  const std::string url = "memory://" + UniqueName("completion");
  EchoSpec spec(UniqueName("rpc"));
  EchoService service(spec);
  auto server_broker = ConnectedBroker(url);
  auto client_broker = ConnectedBroker(url);
  Server server(server_broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(client_broker);
  ThreadPool* pool = &brokrpc::internal::BrokerAccess::Core(*client_broker).pool();

  StringValue request;
  request.set_value("x");
  Message encoded;
  REQUIRE(ProtobufSerializer::Encode(request, &encoded).ok());
  for (bool inline_done : {false, true}) {
    ClientContext ctx;
    std::promise<std::pair<Status, bool>> seen;  // status, ran on a pool thread
    auto done = [&seen, pool](Status s, Message* reply) {
      seen.set_value(
          {reply != nullptr ? std::move(s) : InternalError("no reply"), pool->OnPoolThread()});
    };
    if (inline_done) {
      brokrpc::internal::StartUnaryInline(*channel, spec.spec(), EchoSpec::kEcho, &ctx, encoded,
                                          done);
    } else {
      brokrpc::internal::StartUnary(*channel, spec.spec(), EchoSpec::kEcho, &ctx, encoded, done);
    }
    auto future = seen.get_future();
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    auto [status, on_pool] = future.get();
    INFO(status.ToString());
    CHECK(status.ok());
    CHECK(on_pool == !inline_done);
  }
  ClientContext ctx;
  auto typed = AsyncUnaryCall<StringValue, StringValue>(channel.get(), spec.spec(), EchoSpec::kEcho,
                                                        &ctx, request);
  REQUIRE(typed.wait_for(10s) == std::future_status::ready);
  auto r = typed.get();
  REQUIRE(r.ok());
  CHECK(r->value() == "echo: x");
  server.Shutdown(5s).IgnoreError();
}

}  // namespace
}  // namespace brokrpc::internal
