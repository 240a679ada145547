// The raw baseline of the streaming figure: publish -> consume of many small messages.
#ifndef BROKRPC_BENCH_RAW_FLOOD_H_
#define BROKRPC_BENCH_RAW_FLOOD_H_

#include <string>

namespace bench {

// Publishes `count` messages of `payload` to a queue on one connection while another connection
// consumes them with manual acks; returns messages per second from the first publish to the
// last delivery. Runs a publisher thread of its own and joins it before returning.
double RawPublishConsumeRate(const std::string& host, int port, int count,
                             const std::string& payload);

}  // namespace bench

#endif  // BROKRPC_BENCH_RAW_FLOOD_H_
