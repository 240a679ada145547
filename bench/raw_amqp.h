// Small helpers for the raw rabbitmq-c baselines: connect, check replies, byte views, ids.
#ifndef BROKRPC_BENCH_RAW_AMQP_H_
#define BROKRPC_BENCH_RAW_AMQP_H_

#include <amqp.h>

#include <cstdint>
#include <string>

namespace bench {

// Aborts the bench with `what` unless `r` is a normal reply.
void Check(amqp_rpc_reply_t r, const char* what);

// A connection (guest/guest, vhost "/") with channel 1 open; aborts when it cannot connect.
amqp_connection_state_t Open(const std::string& host, int port);

// Closes channel 1 and the connection, and frees it.
void Close(amqp_connection_state_t conn);

// A view of `s` (valid while `s` lives unchanged).
amqp_bytes_t Bytes(const std::string& s);

// A random uuid4 as 32 lowercase hex characters, as brokrpc makes its ids (thread-safe).
std::string UuidHex();

// Now as Unix epoch milliseconds and seconds.
int64_t NowEpochMillis();
int64_t NowEpochSeconds();

}  // namespace bench

#endif  // BROKRPC_BENCH_RAW_AMQP_H_
