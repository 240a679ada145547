// Names and helpers of the RPC wire contract (docs/wire-protocol.md) shared by client and server.
#ifndef BROKRPC_SRC_RPC_WIRE_H_
#define BROKRPC_SRC_RPC_WIRE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "brokrpc/message.h"
#include "brokrpc/status.h"

namespace brokrpc::internal {

// Header: the google.rpc.Code number of an error reply.
inline constexpr std::string_view kStatusHeader = "x-brokrpc-status";
// Header: the absolute deadline, Unix epoch milliseconds.
inline constexpr std::string_view kDeadlineHeader = "x-brokrpc-deadline";
// Prefix reserved for brokrpc's own headers.
inline constexpr std::string_view kReservedHeaderPrefix = "x-brokrpc-";
// AMQP type of an error reply body.
inline constexpr std::string_view kErrorType = "brokrpc.spec.v1.Error";
// Prefix of reply queue names.
inline constexpr std::string_view kReplyQueuePrefix = "response.";

using SystemClock = std::chrono::system_clock;

// The steady-clock time point `t` (a wall-clock deadline) corresponds to, for waits and timers.
inline std::chrono::steady_clock::time_point ToSteady(SystemClock::time_point t) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(t - SystemClock::now());
}

int64_t ToEpochMillis(SystemClock::time_point t);
SystemClock::time_point FromEpochMillis(int64_t ms);

// The deadline a request carries: x-brokrpc-deadline, else timestamp + expiration (BrokRPC's
// Python clients send only those; the timestamp has whole seconds, so one second is added).
std::optional<SystemClock::time_point> RequestDeadline(const Message& request);

// An integer header given as an AMQP integer or as a decimal string.
std::optional<int64_t> IntegerHeader(const Message& message, std::string_view key);

// Builds an error reply body + properties for `status` (content_type protobuf, type
// brokrpc.spec.v1.Error, header x-brokrpc-status).
void EncodeErrorReply(const Status& status, Message* out);
// True when `reply` is an error reply; then `*status` is the status it carries.
bool DecodeErrorReply(const Message& reply, Status* status);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_WIRE_H_
