#include "amqp/amqp_error.h"

#include <fmt/format.h>

#include <string>

#include "transport/reply_code.h"

namespace brokrpc::internal {

// reply_code.h mirrors AMQP 0-9-1 constants so that layers above amqp/ need no rabbitmq-c
// header: tie each to rabbitmq-c's definition.
static_assert(kReplyNoRoute == AMQP_NO_ROUTE);
static_assert(kReplyConnectionForced == AMQP_CONNECTION_FORCED);
static_assert(kReplyAccessRefused == AMQP_ACCESS_REFUSED);
static_assert(kReplyNotFound == AMQP_NOT_FOUND);
static_assert(kReplyResourceLocked == AMQP_RESOURCE_LOCKED);
static_assert(kReplyPreconditionFailed == AMQP_PRECONDITION_FAILED);

bool CloseReason(const amqp_method_t& method, int* code, std::string* text) {
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* m = static_cast<amqp_connection_close_t*>(method.decoded);
    *code = m->reply_code;
    text->assign(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len);
    return true;
  }
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* m = static_cast<amqp_channel_close_t*>(method.decoded);
    *code = m->reply_code;
    text->assign(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len);
    return true;
  }
  return false;
}

Status StatusFromLibrary(std::string_view operation, int amqp_status) {
  if (amqp_status >= 0) return OkStatus();
  StatusCode code = StatusCode::kUnavailable;
  switch (amqp_status) {
    case AMQP_STATUS_BAD_AMQP_DATA:
    case AMQP_STATUS_UNKNOWN_CLASS:
    case AMQP_STATUS_UNKNOWN_METHOD:
    case AMQP_STATUS_UNEXPECTED_STATE:
    case AMQP_STATUS_TABLE_TOO_BIG:
    case AMQP_STATUS_INVALID_PARAMETER:
      code = StatusCode::kInternal;
      break;
    case AMQP_STATUS_NO_MEMORY:
      code = StatusCode::kResourceExhausted;
      break;
    case AMQP_STATUS_TIMEOUT:
      code = StatusCode::kDeadlineExceeded;
      break;
    default:
      break;
  }
  return Status(code, fmt::format("{}: {}", operation, amqp_error_string2(amqp_status)));
}

Status StatusFromReply(std::string_view operation, const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return OkStatus();
    case AMQP_RESPONSE_NONE:
      return InternalError(fmt::format("{}: no reply from rabbitmq-c", operation));
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return StatusFromLibrary(operation, reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      int code = 0;
      std::string text;
      if (CloseReason(reply.reply, &code, &text)) return ReplyStatus(operation, code, text);
      return InternalError(
          fmt::format("{}: unexpected method 0x{:08x} from the broker", operation, reply.reply.id));
    }
  }
  return InternalError(fmt::format("{}: unknown rabbitmq-c reply type", operation));
}

}  // namespace brokrpc::internal
