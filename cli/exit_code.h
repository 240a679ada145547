// How the tool ends: one exit status per google.rpc.Code, and the one error line it prints.
#ifndef BROKRPC_CLI_EXIT_CODE_H_
#define BROKRPC_CLI_EXIT_CODE_H_

#include "brokrpc/status.h"

namespace brokrpc::cli {

// Exit statuses: 0 success, 2 bad command line, 64 + google.rpc.Code for every other failure
// (65 CANCELLED ... 67 INVALID_ARGUMENT, 69 NOT_FOUND, 78 UNAVAILABLE, ...), as grpcurl does.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitStatusBase = 64;

// Prints "brokrpc: CODE: message" to stderr and returns the exit status for `status`
// (0 for OK, printing nothing). Thread-compatible (writes to stderr).
int ReportFailure(const Status& status);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_EXIT_CODE_H_
