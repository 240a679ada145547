// The deployment the cluster fault cases share: a quorum-queue echo service, a server on node 2,
// a client on node 1, the queues' leaders on node 3, and a batch of unary calls run across a
// fault with its counts.
#ifndef BROKRPC_TESTS_CLUSTER_CLUSTER_DEPLOYMENT_H_
#define BROKRPC_TESTS_CLUSTER_CLUSTER_DEPLOYMENT_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "cluster/cluster_support.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc::testing {

using namespace std::chrono_literals;

constexpr int kClientNode = 1, kServerNode = 2, kLeaderNode = 3;
constexpr auto kCallDeadline = 30s;

// A quorum queue option: durable, neither exclusive nor auto-delete (quorum queues refuse both).
QueueOptions Quorum(const std::string& name);

// "cluster.Echo" with both method queues quorum queues; owns the names its spec views.
struct QuorumSpec {
  std::string exchange = UniqueName("cluster");
  std::string echo_queue = UniqueName("echo-quorum");
  std::string notify_queue = UniqueName("notify-quorum");
  ServiceSpec spec{.full_name = "cluster.Echo",
                   .package = "cluster",
                   .exchange = {.name = exchange, .durable = true, .auto_delete = false},
                   .methods = {MethodSpec{.name = "Echo",
                                          .routing_key = "/cluster/Echo/Echo",
                                          .kind = MethodKind::kUnary,
                                          .request_type = "google.protobuf.StringValue",
                                          .response_type = "google.protobuf.StringValue",
                                          .queue = Quorum(echo_queue)},
                               MethodSpec{.name = "Notify",
                                          .routing_key = "/cluster/Echo/Notify",
                                          .kind = MethodKind::kFireAndForget,
                                          .request_type = "google.protobuf.StringValue",
                                          .queue = Quorum(notify_queue)}}};
};

// Counts handler executions per request and deliveries per message. Handlers run on the
// server's threads; the test reads the counts under `mu`.
class CountingService : public Service {
 public:
  explicit CountingService(const QuorumSpec& s);
  std::mutex mu;
  std::map<std::string, int> executions;
  std::map<std::string, int> deliveries;
};

// Declares the service's queues through `node` alone, so that their leaders start there.
void DeclareQueuesOn(const Cluster& cluster, int node, const QuorumSpec& s);

// What RunCalls saw, for the assertions of each case.
struct CallCounts {
  int n = 0, ok = 0, retried = 0, late = 0, lost = 0, unexpected = 0;
  int executions = 0, retry_duplicates = 0, other_duplicates = 0;
  std::string summary;
};

// Runs `n` unary calls, 64 at a time (retry policy on, wait-for-ready, deadline kCallDeadline),
// through `channel`; runs `fault` on this thread once a quarter of them ended. A call is late
// when it ended more than 5 s after its deadline; lost when it had not ended when the test
// stopped waiting (the deadline plus 20 s after the fault). Prints the summary line.
CallCounts RunCalls(const std::string& label, std::shared_ptr<Channel> channel,
                    std::shared_ptr<QuorumSpec> spec, CountingService& service, int n,
                    const std::function<void()>& fault);

// The assertions every case makes about a batch of calls.
void CheckNothingLost(const CallCounts& c);

// One call succeeds through `channel` within 60 s (after a fault).
bool CallsWork(Channel& channel, const QuorumSpec& s);

// A server on node kServerNode serving a fresh QuorumSpec whose queues lead on kLeaderNode, and
// a client on kClientNode. Test-thread only.
struct Deployment {
  explicit Deployment(const Cluster& cluster);
  ~Deployment();
  const Cluster& cluster;
  std::shared_ptr<QuorumSpec> spec = std::make_shared<QuorumSpec>();
  CountingService service{*spec};
  std::unique_ptr<Server> server;
  std::string client_name;
  std::shared_ptr<Broker> client;
  std::shared_ptr<Channel> channel;
};

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_CLUSTER_CLUSTER_DEPLOYMENT_H_
