// PublishOutcome: how one publish ended, as data. Callers branch on `kind` and `reply_code`,
// never on the text of `status` (a host, port or vhost can contain any number).
#ifndef BROKRPC_SRC_TRANSPORT_PUBLISH_OUTCOME_H_
#define BROKRPC_SRC_TRANSPORT_PUBLISH_OUTCOME_H_

#include <string_view>

#include "brokrpc/status.h"
#include "transport/reply_code.h"

namespace brokrpc::internal {

// A value type; thread-compatible.
struct PublishOutcome {
  enum class Kind {
    // The broker confirmed the message (on a lane without confirms: it was written).
    kConfirmed,
    // The broker returned it (basic.return, mandatory): `reply_code` says why, 312 = NO_ROUTE.
    kReturned,
    // The broker nacked it (an internal error in a queue process).
    kNacked,
    // The connection was down or failed before the confirm arrived.
    kConnectionLost,
    // The broker closed the publishing channel (`reply_code`, e.g. 404 for a missing exchange).
    kChannelError,
    // Refused before it reached the broker (size limit, publisher or transport shut down).
    kRefused,
  };

  Kind kind = Kind::kConfirmed;
  int reply_code = 0;  // kReturned and kChannelError (0 when not known)
  Status status;       // OK exactly when kind is kConfirmed; the error to report otherwise

  bool ok() const { return kind == Kind::kConfirmed; }
  // Returned with 312 NO_ROUTE: no queue took the message, so no consumer has seen it.
  bool unroutable() const { return kind == Kind::kReturned && reply_code == kReplyNoRoute; }

  static PublishOutcome Confirmed() { return {}; }
  static PublishOutcome Returned(int reply_code, Status status) {
    return {Kind::kReturned, reply_code, std::move(status)};
  }
  static PublishOutcome Nacked(Status status) { return {Kind::kNacked, 0, std::move(status)}; }
  static PublishOutcome ConnectionLost(Status status) {
    return {Kind::kConnectionLost, 0, std::move(status)};
  }
  static PublishOutcome ChannelError(int reply_code, Status status) {
    return {Kind::kChannelError, reply_code, std::move(status)};
  }
  static PublishOutcome Refused(Status status) { return {Kind::kRefused, 0, std::move(status)}; }
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_TRANSPORT_PUBLISH_OUTCOME_H_
