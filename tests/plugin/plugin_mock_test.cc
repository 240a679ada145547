// mocks=true: the generated gMock stubs (brokrpc_generate(... MOCKS)) unit-test code that takes a
// StubInterface&, with no broker and no channel. gMock runs inside Catch2: its failures
// (unexpected calls, unmet expectations) are collected by GMockFailures and checked with CHECK.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "greeter/greeter.brokrpc.mock.h"
#include "tricky/streams.brokrpc.mock.h"

namespace {

using greeter::v1::GreetRequest;
using greeter::v1::GreetResponse;
using ::testing::_;
using ::testing::Property;
using ::testing::Return;

// Collects gMock's failures while it lives, for Catch2 to check. Declare it before the mocks (they
// verify when destroyed). Failures from any thread are collected; check them on the test's thread.
class GMockFailures {
 public:
  GMockFailures()
      : reporter_(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS, &results_) {}

  int count() const { return results_.size(); }
  std::string text() const {
    std::string out;
    for (int i = 0; i < results_.size(); ++i) out += results_.GetTestPartResult(i).message();
    return out;
  }

 private:
  ::testing::TestPartResultArray results_;
  ::testing::ScopedFakeTestPartResultReporter reporter_;
};

// The class under test: greets through the greeter, with a fallback when it fails, and announces
// each greeting. Knows the greeter only through its StubInterface. Not thread-safe (one caller).
class Welcomer {
 public:
  explicit Welcomer(greeter::v1::Greeter::StubInterface& greeter) : greeter_(greeter) {}

  std::string Welcome(const std::string& name) {
    brokrpc::ClientContext context;
    context.set_timeout(std::chrono::seconds(2));
    GreetRequest request;
    request.set_name(name);
    GreetResponse response;
    if (!greeter_.Greet(&context, request, &response).ok()) return "welcome, " + name;
    brokrpc::ClientContext notify_context;
    greeter_.NotifyGreet(&notify_context, response).IgnoreError();
    return response.greeting();
  }

 private:
  greeter::v1::Greeter::StubInterface& greeter_;
};

}  // namespace

TEST_CASE("mocks: a MockGreeterStub answers Greet and expects the announcement") {
  GMockFailures failures;
  ::testing::StrictMock<greeter::v1::MockGreeterStub> greeter;
  EXPECT_CALL(greeter, Greet(_, Property(&GreetRequest::name, "Ann"), _))
      .WillOnce([](brokrpc::ClientContext*, const GreetRequest& request, GreetResponse* response) {
        response->set_greeting("hello, " + request.name());
        return brokrpc::OkStatus();
      });
  EXPECT_CALL(greeter, NotifyGreet(_, Property(&GreetResponse::greeting, "hello, Ann")))
      .WillOnce(Return(brokrpc::OkStatus()));

  Welcomer welcomer(greeter);
  CHECK(welcomer.Welcome("Ann") == "hello, Ann");
  CHECK(::testing::Mock::VerifyAndClearExpectations(&greeter));
  CHECK(failures.text() == "");
}

TEST_CASE("mocks: a failing Greet takes the fallback and announces nothing") {
  GMockFailures failures;
  ::testing::StrictMock<greeter::v1::MockGreeterStub> greeter;
  EXPECT_CALL(greeter, Greet(_, _, _))
      .WillOnce(Return(brokrpc::Status(brokrpc::StatusCode::kUnavailable, "no server")));

  Welcomer welcomer(greeter);
  CHECK(welcomer.Welcome("Bob") == "welcome, Bob");
  CHECK(::testing::Mock::VerifyAndClearExpectations(&greeter));
  CHECK(failures.text() == "");
}

TEST_CASE("mocks: unexpected and missing calls are failures") {
  GMockFailures failures;
  ::testing::StrictMock<greeter::v1::MockGreeterStub> greeter;
  EXPECT_CALL(greeter, Greet(_, _, _)).WillOnce(Return(brokrpc::OkStatus()));
  GreetResponse message;
  brokrpc::ClientContext context;
  CHECK(greeter.NotifyGreet(&context, message).ok());  // a StrictMock's default: OK, and a failure
  CHECK_FALSE(::testing::Mock::VerifyAndClearExpectations(&greeter));  // Greet was never called
  CHECK(failures.count() == 2);
  CHECK_THAT(failures.text(), Catch::Contains("Uninteresting mock function call") &&
                                  Catch::Contains("Actual: never called"));
}

TEST_CASE("mocks: every stub method of every call kind is mockable") {
  GMockFailures failures;
  ::testing::StrictMock<acme::streams::MockRouteStub> route;
  EXPECT_CALL(route, Walk(_, _))
      .WillOnce(Return(
          ::testing::ByMove(std::unique_ptr<brokrpc::ClientReader<acme::streams::Point>>())));
  EXPECT_CALL(route, AsyncPing(_, _, _))
      .WillOnce([](brokrpc::ClientContext*, const acme::streams::Point& request,
                   std::function<void(brokrpc::StatusOr<acme::streams::Point>)> on_done) {
        on_done(request);
      });

  brokrpc::ClientContext context;
  CHECK(route.Walk(&context, google::protobuf::Int32Value()) == nullptr);
  acme::streams::Point point;
  point.set_x(7);
  int x = 0;
  route.AsyncPing(&context, point, [&x](brokrpc::StatusOr<acme::streams::Point> result) {
    x = result.ok() ? result.value().x() : -1;
  });
  CHECK(x == 7);
  CHECK(::testing::Mock::VerifyAndClearExpectations(&route));
  CHECK(failures.text() == "");
}
