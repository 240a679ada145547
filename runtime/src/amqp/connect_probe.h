// Why a TCP connection to a broker host failed, when rabbitmq-c only says "a socket error
// occurred" (its non-blocking connect keeps the reason to itself).
#ifndef BROKRPC_SRC_AMQP_CONNECT_PROBE_H_
#define BROKRPC_SRC_AMQP_CONNECT_PROBE_H_

#include <chrono>
#include <string>

namespace brokrpc::internal {

// Tries one TCP connect to host:port (waiting at most `timeout`) and returns the reason it
// fails ("Connection refused", "timed out after 1000 ms", a resolver error), or "" when it
// connects now (the earlier failure was transient).
std::string ProbeConnectFailure(const std::string& host, int port,
                                std::chrono::milliseconds timeout);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_CONNECT_PROBE_H_
