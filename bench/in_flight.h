// InFlightThroughput: a fixed number of asynchronous calls kept in flight, as calls per second.
#ifndef BROKRPC_BENCH_IN_FLIGHT_H_
#define BROKRPC_BENCH_IN_FLIGHT_H_

#include <functional>

#include "brokrpc/client_context.h"

namespace bench {

struct InFlightRun;

// Reports the end of one call (from any thread, once): `ok` false counts it as failed. One
// pointer, so a completion callback that captures it stays small (no allocation per call).
class CallEnded {
 public:
  explicit CallEnded(InFlightRun* run) : run_(run) {}
  void operator()(bool ok) const;

 private:
  InFlightRun* run_;
};
// Starts one asynchronous call with `context` (alive until the run ends); calls `ended` once.
using StartCall = std::function<void(brokrpc::ClientContext* context, CallEnded ended)>;

// Runs `calls` calls, `in_flight` at a time (a new one starts as one ends); returns calls per
// second. Failed calls are counted and reported on stderr.
double InFlightThroughput(int calls, int in_flight, const StartCall& start);

}  // namespace bench

#endif  // BROKRPC_BENCH_IN_FLIGHT_H_
