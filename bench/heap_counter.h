// Counts the bytes held by live operator-new allocations of the whole process (the benchmark
// replaces the global operator new/delete to keep the count), for "no heap growth per call".
#ifndef BROKRPC_BENCH_HEAP_COUNTER_H_
#define BROKRPC_BENCH_HEAP_COUNTER_H_

#include <cstdint>

namespace bench {

// Bytes currently allocated with operator new and not yet deleted.
int64_t LiveHeapBytes();

}  // namespace bench

#endif  // BROKRPC_BENCH_HEAP_COUNTER_H_
