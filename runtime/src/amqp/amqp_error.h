// Turns rabbitmq-c results (amqp_rpc_reply_t, library status codes) into brokrpc::Status.
#ifndef BROKRPC_SRC_AMQP_AMQP_ERROR_H_
#define BROKRPC_SRC_AMQP_AMQP_ERROR_H_

#include <amqp.h>

#include <string_view>

#include "brokrpc/status.h"

namespace brokrpc::internal {

// OK for AMQP_RESPONSE_NORMAL; a broker exception (connection.close / channel.close) becomes
// ReplyStatus(operation, code, text); a library error names rabbitmq-c's reason.
Status StatusFromReply(std::string_view operation, const amqp_rpc_reply_t& reply);

// A rabbitmq-c library status (negative AMQP_STATUS_*) as UNAVAILABLE / INTERNAL / ...
Status StatusFromLibrary(std::string_view operation, int amqp_status);

// The reply code and text of a connection.close or channel.close method, if `method` is one.
bool CloseReason(const amqp_method_t& method, int* code, std::string* text);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_AMQP_ERROR_H_
