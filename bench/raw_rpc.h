// The baseline: RPC ping-pong written straight on the rabbitmq-c C API, the best a hand-written
// client does (exclusive reply queue, correlation ids, manual acks, no confirms).
#ifndef BROKRPC_BENCH_RAW_RPC_H_
#define BROKRPC_BENCH_RAW_RPC_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace bench {

// A raw server: one connection, one thread, consume → publish reply → ack.
class RawServer {
 public:
  RawServer(const std::string& host, int port, const std::string& exchange,
            const std::string& queue);
  ~RawServer();
  void Stop();

 private:
  void Run();
  std::string host_;
  int port_;
  std::string exchange_;
  std::string queue_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::thread thread_;
};

// A raw client on its own connection (used from one thread).
class RawClient {
 public:
  RawClient(const std::string& host, int port, const std::string& exchange,
            const std::string& routing_key);
  ~RawClient();
  // Sequential calls; returns per-call latencies in microseconds.
  std::vector<double> Sequential(int calls, const std::string& payload);
  // `calls` calls with `in_flight` outstanding at any time; returns calls per second.
  double Throughput(int calls, int in_flight, const std::string& payload);

 private:
  void Publish(const std::string& correlation_id, const std::string& payload);
  // Waits for one reply; returns its correlation id.
  std::string Receive();

  struct State;
  State* state_;
  std::string exchange_;
  std::string routing_key_;
  std::string reply_queue_;
};

// Publishes `count` messages of `payload` to a queue on one connection while another connection
// consumes them with manual acks; returns messages per second from the first publish to the
// last delivery.
double RawPublishConsumeRate(const std::string& host, int port, int count,
                             const std::string& payload);

}  // namespace bench

#endif  // BROKRPC_BENCH_RAW_RPC_H_
