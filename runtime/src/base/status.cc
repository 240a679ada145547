#include "brokrpc/status.h"

#include <array>

#include "google/rpc/code.pb.h"

namespace brokrpc {
namespace {

// StatusCode mirrors google.rpc.Code (the numbers on the wire): tie each value to its source.
#define BROKRPC_SAME_CODE(ours, theirs) \
  static_assert(static_cast<int>(StatusCode::ours) == ::google::rpc::theirs, #ours)
BROKRPC_SAME_CODE(kOk, OK);
BROKRPC_SAME_CODE(kCancelled, CANCELLED);
BROKRPC_SAME_CODE(kUnknown, UNKNOWN);
BROKRPC_SAME_CODE(kInvalidArgument, INVALID_ARGUMENT);
BROKRPC_SAME_CODE(kDeadlineExceeded, DEADLINE_EXCEEDED);
BROKRPC_SAME_CODE(kNotFound, NOT_FOUND);
BROKRPC_SAME_CODE(kAlreadyExists, ALREADY_EXISTS);
BROKRPC_SAME_CODE(kPermissionDenied, PERMISSION_DENIED);
BROKRPC_SAME_CODE(kResourceExhausted, RESOURCE_EXHAUSTED);
BROKRPC_SAME_CODE(kFailedPrecondition, FAILED_PRECONDITION);
BROKRPC_SAME_CODE(kAborted, ABORTED);
BROKRPC_SAME_CODE(kOutOfRange, OUT_OF_RANGE);
BROKRPC_SAME_CODE(kUnimplemented, UNIMPLEMENTED);
BROKRPC_SAME_CODE(kInternal, INTERNAL);
BROKRPC_SAME_CODE(kUnavailable, UNAVAILABLE);
BROKRPC_SAME_CODE(kDataLoss, DATA_LOSS);
BROKRPC_SAME_CODE(kUnauthenticated, UNAUTHENTICATED);
#undef BROKRPC_SAME_CODE
static_assert(::google::rpc::Code_MAX == static_cast<int>(StatusCode::kUnauthenticated),
              "google.rpc.Code has a code StatusCode does not mirror");

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
}  // namespace

std::string StatusCodeName(StatusCode code) {
  int n = static_cast<int>(code);
  if (n >= 0 && n < static_cast<int>(kCodeNames.size())) return kCodeNames[n];
  return "CODE(" + std::to_string(n) + ")";
}

StatusCode StatusCodeFromInt(int value) {
  if (value >= 0 && value <= 16) return static_cast<StatusCode>(value);
  return StatusCode::kUnknown;
}

Status::Status(StatusCode code, std::string message) : code_(code) {
  if (code != StatusCode::kOk) message_ = std::move(message);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  if (message_.empty()) return StatusCodeName(code_);
  return StatusCodeName(code_) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  if (!message_.empty()) {
    m += ": ";
    m += message_;
  }
  return Status(code_, std::move(m));
}

std::ostream& operator<<(std::ostream& os, const Status& status) { return os << status.ToString(); }
std::ostream& operator<<(std::ostream& os, StatusCode code) { return os << StatusCodeName(code); }

#define BROKRPC_DEFINE_ERROR(Name, Code) \
  Status Name(std::string message) { return Status(StatusCode::Code, std::move(message)); }
BROKRPC_DEFINE_ERROR(CancelledError, kCancelled)
BROKRPC_DEFINE_ERROR(UnknownError, kUnknown)
BROKRPC_DEFINE_ERROR(InvalidArgumentError, kInvalidArgument)
BROKRPC_DEFINE_ERROR(DeadlineExceededError, kDeadlineExceeded)
BROKRPC_DEFINE_ERROR(NotFoundError, kNotFound)
BROKRPC_DEFINE_ERROR(AlreadyExistsError, kAlreadyExists)
BROKRPC_DEFINE_ERROR(PermissionDeniedError, kPermissionDenied)
BROKRPC_DEFINE_ERROR(ResourceExhaustedError, kResourceExhausted)
BROKRPC_DEFINE_ERROR(FailedPreconditionError, kFailedPrecondition)
BROKRPC_DEFINE_ERROR(AbortedError, kAborted)
BROKRPC_DEFINE_ERROR(OutOfRangeError, kOutOfRange)
BROKRPC_DEFINE_ERROR(UnimplementedError, kUnimplemented)
BROKRPC_DEFINE_ERROR(InternalError, kInternal)
BROKRPC_DEFINE_ERROR(UnavailableError, kUnavailable)
BROKRPC_DEFINE_ERROR(DataLossError, kDataLoss)
BROKRPC_DEFINE_ERROR(UnauthenticatedError, kUnauthenticated)
#undef BROKRPC_DEFINE_ERROR

}  // namespace brokrpc
