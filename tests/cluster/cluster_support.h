// Helpers of the cluster fault suite: the nodes of the cluster started by
// `scripts/rabbitmq cluster start`, URLs that put a chosen node first, and what rabbitmqctl
// says about queues and connections.
#ifndef BROKRPC_TESTS_CLUSTER_CLUSTER_SUPPORT_H_
#define BROKRPC_TESTS_CLUSTER_CLUSTER_SUPPORT_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace brokrpc::testing {

// The cluster of `scripts/rabbitmq cluster` (its script from $BROKRPC_RABBITMQ_SCRIPT). Nodes
// are numbered 1..3. Every member runs the script and blocks; call from the test's main thread.
class Cluster {
 public:
  static constexpr int kNodes = 3;

  // Reads the nodes' ports (`cluster urls`); fails the test if no cluster runs.
  Cluster();

  // All three hosts, node `first` first and the others after it in order, with a connection
  // name and fast reconnects: amqp://guest:guest@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/?...
  std::string Url(int first, const std::string& name, int heartbeat_s = 5) const;
  // Node `node` alone.
  std::string NodeUrl(int node, const std::string& name) const;
  // The node whose AMQP port is `port` (0 if none).
  int NodeOfPort(int port) const;

  // `scripts/rabbitmq cluster <args>`; returns its output.
  std::string Script(const std::string& args) const;
  // rabbitmqctl -q --no-table-headers against node `node` (the other nodes must know it).
  std::string Ctl(int node, const std::string& args) const;

  // The node of the leader of quorum queue `queue` (asked of node `ask`; 0 if unknown).
  int LeaderOf(const std::string& queue, int ask) const;
  // The node each named connection is on (by connection name), asked of node `ask`.
  std::map<std::string, int> ConnectionNodes(int ask) const;
  // Queues (name -> consumers), asked of node `ask`.
  std::map<std::string, int> QueueConsumers(int ask) const;

  void Kill(int node) const { Script("kill " + std::to_string(node)); }
  void StartNode(int node) const { Script("start-node " + std::to_string(node)); }
  void StopApp(int node) const { Script("stop-app " + std::to_string(node)); }
  void StartApp(int node) const { Script("start-app " + std::to_string(node)); }
  void Freeze(int node) const { Script("freeze " + std::to_string(node)); }
  void Thaw(int node) const { Script("thaw " + std::to_string(node)); }
  // Waits until node `ask` sees all three nodes running (after StartNode / StartApp).
  void WaitAllRunning(int ask) const;

 private:
  std::vector<int> ports_;  // AMQP port of node i at [i - 1]
};

// Lines of `text`, split on tabs.
std::vector<std::vector<std::string>> Rows(const std::string& text);

// Milliseconds of a duration, for messages.
template <typename D>
long long Ms(D d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_CLUSTER_CLUSTER_SUPPORT_H_
