#include "transport/reply_code.h"

#include <fmt/format.h>

namespace brokrpc::internal {

StatusCode StatusCodeForReply(int reply_code) {
  switch (reply_code) {
    case 200:
      return StatusCode::kOk;
    case 311:
      return StatusCode::kResourceExhausted;
    case 312:
    case 313:
    case 320:
      return StatusCode::kUnavailable;
    case 402:
      return StatusCode::kInvalidArgument;
    case 403:
    case 530:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 405:
    case 406:
      return StatusCode::kFailedPrecondition;
    case 540:
      return StatusCode::kUnimplemented;
    default:
      return StatusCode::kInternal;
  }
}

Status ReplyStatus(std::string_view operation, int reply_code, std::string_view reply_text) {
  return Status(StatusCodeForReply(reply_code),
                fmt::format("{}: {} {}", operation, reply_code, reply_text));
}

}  // namespace brokrpc::internal
