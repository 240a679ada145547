// Connecting to the broker the way every command does, with errors that never show a password.
#ifndef BROKRPC_CLI_CONNECT_H_
#define BROKRPC_CLI_CONNECT_H_

#include <memory>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/status_or.h"

namespace brokrpc::cli {

// Creates and connects a Broker for `url`. Failures say which broker (the URL without its
// password) and why: INVALID_ARGUMENT for a bad URL, UNAVAILABLE / UNAUTHENTICATED from the
// connection attempt.
StatusOr<std::shared_ptr<Broker>> ConnectBroker(const std::string& url);

// 32 random lowercase hex characters (a uuid4's hex form).
std::string RandomHex();

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_CONNECT_H_
