// The unary call on a classic vs a quorum server queue (brokrpc_bench --quorum-compare 1): the
// cost of replicating every request, for docs/deployment.md. Meant for a cluster URL.
#ifndef BROKRPC_BENCH_QUORUM_COMPARE_H_
#define BROKRPC_BENCH_QUORUM_COMPARE_H_

#include <string>

namespace bench {

// Runs `calls` sequential calls and `throughput_calls` calls 64 in flight on each queue type, in
// `rounds` rounds (the order alternating); prints both and the ratios quorum / classic. Returns
// the process exit code. Single-threaded caller; the calls run on brokrpc's threads.
int RunQuorumCompare(const std::string& url, int calls, int throughput_calls, int rounds,
                     size_t payload);

}  // namespace bench

#endif  // BROKRPC_BENCH_QUORUM_COMPARE_H_
