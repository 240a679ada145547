// The baseline: RPC ping-pong written straight on the rabbitmq-c C API, the best a hand-written
// client does: one channel per side, an exclusive reply queue consumed without acks,
// correlation ids, manual acks on the server. A RawContract adds brokrpc's wire contract on top
// (confirms, mandatory, deadline, ids) flag by flag.
#ifndef BROKRPC_BENCH_RAW_RPC_H_
#define BROKRPC_BENCH_RAW_RPC_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "raw_contract.h"

namespace bench {

// A raw server: one connection, one thread of its own, consume → publish reply → ack the request,
// all on one channel (with reply_confirms: the ack waits for the reply's confirm). The
// constructor returns once it consumes; Stop() (or the destructor) joins the thread.
class RawServer {
 public:
  RawServer(const std::string& host, int port, const std::string& exchange,
            const std::string& queue, RawContract contract = RawContract::Plain());
  ~RawServer();
  void Stop();

 private:
  void Run();
  std::string host_;
  int port_;
  std::string exchange_;
  std::string queue_;
  RawContract contract_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::thread thread_;
};

// A raw client on its own connection and one channel. Not thread-safe: use it from one thread.
class RawClient {
 public:
  RawClient(const std::string& host, int port, const std::string& exchange,
            const std::string& routing_key, RawContract contract = RawContract::Plain());
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  // Sequential calls with `body` as the request body; returns per-call latencies in
  // microseconds.
  std::vector<double> Sequential(int calls, const std::string& body);
  // `calls` calls with `in_flight` outstanding at any time; returns calls per second.
  double Throughput(int calls, int in_flight, const std::string& body);

 private:
  struct State;
  // A fresh correlation id for call number `n`.
  std::string NewId(int n) const;
  void Publish(const std::string& correlation_id, const std::string& body);
  // Reads one event from the broker (a reply or a confirm) and appends the correlation ids of
  // the calls it completes to the state's `completed` list (cleared first).
  void Pump();

  State* state_;
  RawContract contract_;
  std::string exchange_;
  std::string routing_key_;
  std::string reply_queue_;
};

}  // namespace bench

#endif  // BROKRPC_BENCH_RAW_RPC_H_
