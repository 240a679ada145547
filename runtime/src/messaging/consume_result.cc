#include "brokrpc/consume_result.h"

#include <fmt/format.h>

namespace brokrpc {

std::string ConsumeResult::ToString() const {
  switch (kind_) {
    case Kind::kAck:
      return "ack";
    case Kind::kReject:
      return status_.ok() ? "reject" : fmt::format("reject({})", status_.ToString());
    case Kind::kRetry:
      return fmt::format("retry({}ms)", delay_.count());
    case Kind::kFailed:
      return fmt::format("failed({})", status_.ToString());
  }
  return "?";
}

}  // namespace brokrpc
