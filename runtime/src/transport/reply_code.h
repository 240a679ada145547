// AMQP reply codes (connection.close / channel.close / basic.return) turned into Status.
#ifndef BROKRPC_SRC_TRANSPORT_REPLY_CODE_H_
#define BROKRPC_SRC_TRANSPORT_REPLY_CODE_H_

#include <string_view>

#include "brokrpc/status.h"

namespace brokrpc::internal {

// AMQP 0-9-1 reply codes that brokrpc names.
inline constexpr int kReplyNoRoute = 312;
inline constexpr int kReplyConnectionForced = 320;
inline constexpr int kReplyAccessRefused = 403;
inline constexpr int kReplyNotFound = 404;
inline constexpr int kReplyResourceLocked = 405;
inline constexpr int kReplyPreconditionFailed = 406;

// The StatusCode of an AMQP reply code (406 -> FAILED_PRECONDITION, 403 -> PERMISSION_DENIED,
// 404 -> NOT_FOUND, 312/320 -> UNAVAILABLE, ...).
StatusCode StatusCodeForReply(int reply_code);

// A status whose message is "<operation>: <reply_code> <reply_text>", e.g.
// "declare exchange 'x': 406 PRECONDITION_FAILED - inequivalent arg 'durable' ...".
Status ReplyStatus(std::string_view operation, int reply_code, std::string_view reply_text);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_TRANSPORT_REPLY_CODE_H_
