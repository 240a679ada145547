// CPU time per call of the bench process and of the broker around a measured run.
#ifndef BROKRPC_BENCH_CPU_COST_H_
#define BROKRPC_BENCH_CPU_COST_H_

namespace bench {

// CPU seconds used so far by this process (all threads). Thread-safe.
double ProcessCpu();

// CPU seconds used so far by the broker (pid from $BROKRPC_BROKER_PID), or -1. Thread-safe.
double BrokerCpu();

// CPU per call of this process and of the broker (-1: unknown) during one run. Plain data.
struct CpuCost {
  double self_us = 0;
  double broker_us = -1;
};

// Runs `run` (returning its result) and stores the CPU per call of `calls` calls in `cost`.
template <typename F>
auto Measured(int calls, CpuCost* cost, F&& run) {
  double self0 = ProcessCpu(), broker0 = BrokerCpu();
  auto result = run();
  cost->self_us = (ProcessCpu() - self0) * 1e6 / calls;
  if (broker0 >= 0) cost->broker_us = (BrokerCpu() - broker0) * 1e6 / calls;
  return result;
}

}  // namespace bench

#endif  // BROKRPC_BENCH_CPU_COST_H_
