// Status: the outcome of every brokrpc operation that can fail at run time.
#ifndef BROKRPC_STATUS_H_
#define BROKRPC_STATUS_H_

#include <ostream>
#include <string>
#include <string_view>

namespace brokrpc {

// The canonical status codes: google.rpc.Code, the same numbers gRPC uses. They travel on the
// wire in the x-brokrpc-status header of error replies and in stream End envelopes.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// The google.rpc.Code name of `code`, e.g. "DEADLINE_EXCEEDED"; "CODE(<n>)" for unknown numbers.
std::string StatusCodeName(StatusCode code);

// Maps a wire number to a StatusCode; numbers outside 0..16 become kUnknown.
StatusCode StatusCodeFromInt(int value);

// A code plus a human-readable message. OK carries no message. Value type; thread-compatible.
//
//   brokrpc::Status s = stub->Greet(&ctx, request, &response);
//   if (!s.ok()) std::cerr << s << "\n";   // "UNAVAILABLE: no route to exchange 'x' ..."
class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // A status with `code`; the message is dropped when code is kOk.
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "CODE_NAME: message".
  std::string ToString() const;

  // The same status with "context: " put in front of the message (no-op when OK).
  Status WithContext(std::string_view context) const;

  // Marks a deliberate drop of a status.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);
std::ostream& operator<<(std::ostream& os, StatusCode code);

// Shorthands, one per code.
inline Status OkStatus() { return Status(); }
Status CancelledError(std::string message);
Status UnknownError(std::string message);
Status InvalidArgumentError(std::string message);
Status DeadlineExceededError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status OutOfRangeError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status UnauthenticatedError(std::string message);

}  // namespace brokrpc

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define BROKRPC_RETURN_IF_ERROR(expr)               \
  do {                                              \
    ::brokrpc::Status brokrpc_status_tmp_ = (expr); \
    if (!brokrpc_status_tmp_.ok()) {                \
      return brokrpc_status_tmp_;                   \
    }                                               \
  } while (false)

#endif  // BROKRPC_STATUS_H_
