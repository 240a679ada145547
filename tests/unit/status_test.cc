#include "brokrpc/status.h"

#include <catch2/catch.hpp>

#include "brokrpc/status_or.h"

namespace brokrpc {
namespace {

TEST_CASE("status: OK has no message and prints OK", "[status]") {
  Status s;
  CHECK(s.ok());
  CHECK(s.ToString() == "OK");
  CHECK(Status(StatusCode::kOk, "ignored").message().empty());
}

TEST_CASE("status: codes carry google.rpc.Code numbers and names", "[status]") {
  CHECK(static_cast<int>(StatusCode::kDeadlineExceeded) == 4);
  CHECK(static_cast<int>(StatusCode::kUnavailable) == 14);
  CHECK(static_cast<int>(StatusCode::kUnauthenticated) == 16);
  CHECK(StatusCodeName(StatusCode::kFailedPrecondition) == "FAILED_PRECONDITION");
  CHECK(StatusCodeName(static_cast<StatusCode>(99)) == "CODE(99)");
  CHECK(StatusCodeFromInt(14) == StatusCode::kUnavailable);
  CHECK(StatusCodeFromInt(-1) == StatusCode::kUnknown);
  CHECK(StatusCodeFromInt(17) == StatusCode::kUnknown);
}

TEST_CASE("status: ToString and WithContext", "[status]") {
  Status s = NotFoundError("no such queue");
  CHECK(s.ToString() == "NOT_FOUND: no such queue");
  CHECK(s.WithContext("consume").message() == "consume: no such queue");
  CHECK(OkStatus().WithContext("x").ok());
}

TEST_CASE("status_or: value or status", "[status]") {
  StatusOr<int> v = 42;
  REQUIRE(v.ok());
  CHECK(*v == 42);
  StatusOr<int> e = InternalError("boom");
  CHECK_FALSE(e.ok());
  CHECK(e.status().code() == StatusCode::kInternal);
  CHECK_THROWS_AS(e.value(), BadStatusOrAccess);
  CHECK(e.value_or(7) == 7);
  StatusOr<int> from_ok = OkStatus();
  CHECK(from_ok.status().code() == StatusCode::kInternal);
}

}  // namespace
}  // namespace brokrpc
