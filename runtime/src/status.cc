#include "brokrpc/status.h"

#include <array>

namespace brokrpc {
namespace {
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
