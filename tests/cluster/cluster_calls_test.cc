// The cluster fault suite, unary calls (./scripts/test-cluster): 2,000 calls on a quorum server
// queue while the node of its leader is killed (and comes back), while the client's and the
// server's nodes stop their application, and while the client's node hangs. Each case prints
// one summary line and asserts its counts. The client is on node 1, the server on node 2, the
// queue's leader on node 3; each case leaves the three nodes running.
#include <catch2/catch.hpp>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster/cluster_deployment.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using namespace testing;

TEST_CASE("cluster: kill -9 of the node that leads the server queue and its return", "[cluster]") {
  Cluster cluster;
  Deployment d(cluster);
  int consumers_before = 0;
  testing::Eventually([&] {
    consumers_before = cluster.QueueConsumers(1)[d.spec->echo_queue];
    return consumers_before >= 1;
  });
  REQUIRE(consumers_before >= 1);

  // Case 1: the leader's node dies under 2,000 calls.
  CallCounts c = RunCalls("case 1, kill -9 of the leader's node", d.channel, d.spec, d.service,
                          2000, [&] { cluster.Kill(kLeaderNode); });
  CheckNothingLost(c);
  CHECK(c.other_duplicates == 0);  // client and server kept their connections
  CHECK(cluster.LeaderOf(d.spec->echo_queue, 1) != kLeaderNode);
  REQUIRE(CallsWork(*d.channel, *d.spec));

  // Case 5: the node comes back; calls keep working and nothing is orphaned.
  auto back = std::chrono::steady_clock::now();
  cluster.StartNode(kLeaderNode);
  cluster.WaitAllRunning(1);
  auto back_ms = Ms(std::chrono::steady_clock::now() - back);
  CallCounts after = RunCalls("case 5, after the killed node came back", d.channel, d.spec,
                              d.service, 500, nullptr);
  CHECK(after.ok == 500);
  CHECK(after.retried == 0);
  std::map<std::string, int> consumers;
  std::set<std::string> orphans;  // queues nobody consumes
  testing::Eventually(
      [&] {
        consumers = cluster.QueueConsumers(kLeaderNode);
        orphans.clear();
        for (const auto& [queue, n] : consumers) {
          if (n == 0) orphans.insert(queue);
        }
        return orphans.empty();
      },
      30s);
  std::string online = cluster.Ctl(kLeaderNode, "list_queues --no-table-headers name online");
  int members_online = 0;
  for (const auto& row : testing::Rows(online)) {
    if (row.size() >= 2 && row[0] == d.spec->echo_queue) {
      for (size_t p = row[1].find('@'); p != std::string::npos; p = row[1].find('@', p + 1)) {
        ++members_online;
      }
    }
  }
  std::cout << "cluster summary: case 5, node " << kLeaderNode << " back in " << back_ms
            << " ms: " << after.ok << "/500 calls ok; queues " << consumers.size()
            << ", without a consumer " << orphans.size() << "; server queue consumers "
            << consumers[d.spec->echo_queue] << " (before the fault " << consumers_before
            << "), members online " << members_online << "/3" << std::endl;
  INFO("orphaned queues: " << orphans.size() << (orphans.empty() ? "" : ", e.g. ")
                           << (orphans.empty() ? "" : *orphans.begin()));
  CHECK(orphans.empty());
  CHECK(consumers[d.spec->echo_queue] == consumers_before);
  CHECK(members_online == 3);
}

TEST_CASE("cluster: stop_app of the client's node then of the server's node", "[cluster]") {
  Cluster cluster;
  {
    // Case 2a. Sixteen idle clients on node 1 as well: on reconnect they spread over 2 and 3.
    Deployment d(cluster);
    std::vector<std::string> idle_names;
    std::vector<std::shared_ptr<Broker>> idle;
    for (int i = 0; i < 16; ++i) {
      idle_names.push_back(UniqueName("idle"));
      idle.push_back(ConnectedBroker(cluster.Url(kClientNode, idle_names.back())));
    }
    CallCounts c = RunCalls("case 2a, stop_app of the client's node", d.channel, d.spec, d.service,
                            2000, [&] { cluster.StopApp(kClientNode); });
    CheckNothingLost(c);
    CHECK(c.other_duplicates == 0);
    REQUIRE(CallsWork(*d.channel, *d.spec));
    std::map<int, int> per_node;
    testing::Eventually(
        [&] {
          auto nodes = cluster.ConnectionNodes(kServerNode);
          per_node.clear();
          for (const auto& name : idle_names) {
            if (nodes.count(name)) ++per_node[nodes[name]];
          }
          return per_node[2] + per_node[3] == 16;
        },
        30s);
    std::cout << "cluster summary: case 2a, 16 idle clients of node 1 reconnected: " << per_node[2]
              << " to node 2, " << per_node[3] << " to node 3" << std::endl;
    CHECK(per_node[2] + per_node[3] == 16);
    CHECK(per_node[2] > 0);
    CHECK(per_node[3] > 0);
    cluster.StartApp(kClientNode);
    cluster.WaitAllRunning(kServerNode);
  }
  {
    // Case 2b: the server's node. Requests it had not acked are delivered again.
    Deployment d(cluster);
    CallCounts c = RunCalls("case 2b, stop_app of the server's node", d.channel, d.spec, d.service,
                            2000, [&] { cluster.StopApp(kServerNode); });
    CheckNothingLost(c);
    REQUIRE(CallsWork(*d.channel, *d.spec));
    cluster.StartApp(kServerNode);
    cluster.WaitAllRunning(kClientNode);
  }
}

TEST_CASE("cluster: a frozen node is detected by the client's heartbeat", "[cluster]") {
  Cluster cluster;
  Deployment d(cluster);
  // A second client on node 1 with a 2 s heartbeat (the deployment's has 5 s).
  auto client = ConnectedBroker(cluster.Url(kClientNode, UniqueName("frozen-client"), 2));
  auto channel = CreateChannel(client);
  REQUIRE(CallsWork(*channel, *d.spec));
  auto frozen = std::chrono::steady_clock::now();
  cluster.Freeze(kClientNode);
  struct ThawOnExit {  // a failed REQUIRE must not leave the node frozen
    const Cluster& cluster;
    ~ThawOnExit() {
      cluster.Thaw(kClientNode);
      cluster.WaitAllRunning(kServerNode);  // autoheal may restart node 1 first
    }
  } thaw{cluster};
  bool lost = testing::Eventually([&] { return !client->is_connected(); }, 30s);
  auto lost_ms = Ms(std::chrono::steady_clock::now() - frozen);
  bool works = CallsWork(*channel, *d.spec);
  auto works_ms = Ms(std::chrono::steady_clock::now() - frozen);
  // Declarations (the new connection's reply queue) wait until the other nodes declare the
  // frozen one down: net_ticktime (10 s in scripts/rabbitmq cluster) and a few seconds more.
  std::cout << "cluster summary: frozen node (kill -STOP), client heartbeat 2 s, net_ticktime "
            << "10 s: connection declared lost after " << lost_ms
            << " ms, calls ok again (on another node) after " << works_ms << " ms" << std::endl;
  CHECK(lost);
  CHECK(works);
  CHECK(lost_ms < 15000);  // two missed heartbeats, with a wide margin for a loaded machine
  CHECK(works_ms < 45000);
}

}  // namespace
}  // namespace brokrpc
