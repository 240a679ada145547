// The fault suite on a 3-node cluster (./scripts/test-cluster): unary calls and confirmed
// fire-and-forget messages on quorum server queues while a node is killed or its application
// stopped, and the killed node's return. Each case prints one summary line and asserts its
// counts. The client is on node 1, the server on node 2, the queue's leader on node 3 (the
// queue is declared first through node 3); each case leaves the three nodes running.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "cluster/cluster_support.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::Cluster;
using testing::ConnectedBroker;
using testing::Ms;
using testing::StringValue;
using testing::UniqueName;

constexpr int kClientNode = 1, kServerNode = 2, kLeaderNode = 3;
constexpr auto kCallDeadline = 30s;

// A quorum queue option: durable, neither exclusive nor auto-delete (quorum queues refuse both).
QueueOptions Quorum(const std::string& name) {
  return {.name = name,
          .durable = true,
          .exclusive = false,
          .auto_delete = false,
          .arguments = FieldTable{{"x-queue-type", "quorum"}}};
}

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
  explicit CountingService(const QuorumSpec& s) : Service(s.spec) {
    AddUnaryHandler<StringValue, StringValue>(
        0, [this](ServerContext*, const StringValue* req, StringValue* resp) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++executions[req->value()];
          }
          std::this_thread::sleep_for(2ms);  // the handler's work (behaviour, not synchronisation)
          resp->set_value(req->value());
          return OkStatus();
        });
    AddFireAndForgetHandler<StringValue>(1, [this](ServerContext*, const StringValue* m) {
      std::lock_guard<std::mutex> lock(mu);
      ++deliveries[m->value()];
      return ConsumeResult::Ack();
    });
  }
  std::mutex mu;
  std::map<std::string, int> executions;
  std::map<std::string, int> deliveries;
};

// Declares the service's queues through `node` alone, so that their leaders start there.
void DeclareQueuesOn(const Cluster& cluster, int node, const QuorumSpec& s) {
  auto broker = ConnectedBroker(cluster.NodeUrl(node, UniqueName("declare")));
  for (const auto& m : s.spec.methods) {
    auto declared = broker->DeclareQueue(m.queue);
    INFO(declared.status().ToString());
    REQUIRE(declared.ok());
  }
  broker->Close();
  REQUIRE(cluster.LeaderOf(s.echo_queue, node) == node);
}

// The outcome of a batch of unary calls, written by the calling threads under `mu`.
struct CallBatch {
  explicit CallBatch(int n) : attempts(n, 0) {}
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0, retried = 0, late = 0;
  long long longest_ms = 0;
  std::map<StatusCode, int> failed;
  std::vector<int> attempts;  // per call
};

// What RunCalls saw, for the assertions of each case.
struct CallCounts {
  int n = 0, ok = 0, retried = 0, late = 0, lost = 0, unexpected = 0;
  int executions = 0, retry_duplicates = 0, other_duplicates = 0;
  std::string summary;
};

// Runs `n` unary calls, `concurrency` at a time (retry policy on, wait-for-ready, deadline
// kCallDeadline), through `channel`; runs `fault` on this thread once a quarter of them ended.
// A call is late when it ended more than 5 s after its deadline; lost when it had not ended
// when the test stopped waiting (the deadline plus 20 s after the fault).
CallCounts RunCalls(const std::string& label, std::shared_ptr<Channel> channel,
                    std::shared_ptr<QuorumSpec> spec, CountingService& service, int n,
                    const std::function<void()>& fault) {
  constexpr int kConcurrency = 64;
  auto batch = std::make_shared<CallBatch>(n);
  auto next = std::make_shared<std::atomic<int>>(0);
  const std::string prefix = UniqueName(label);
  std::vector<std::thread> callers;
  for (int t = 0; t < kConcurrency; ++t) {
    callers.emplace_back([=] {
      for (int i = next->fetch_add(1); i < n; i = next->fetch_add(1)) {
        ClientContext ctx;
        ctx.set_timeout(kCallDeadline);
        ctx.set_wait_for_ready(true);
        ctx.set_retry_policy(
            RetryPolicy{.max_attempts = 5, .initial_backoff = 200ms, .max_backoff = 2s});
        StringValue req, resp;
        req.set_value(prefix + "-" + std::to_string(i));
        auto start = std::chrono::steady_clock::now();
        Status s = internal::BlockingUnaryCall(channel.get(), spec->spec, 0, &ctx, req, &resp);
        auto took = std::chrono::steady_clock::now() - start;
        std::lock_guard<std::mutex> lock(batch->mu);
        ++batch->done;
        if (s.ok() && resp.value() == req.value()) {
          ++batch->ok;
        } else {
          ++batch->failed[s.ok() ? StatusCode::kInternal : s.code()];
        }
        batch->attempts[i] = ctx.attempts();
        if (ctx.attempts() > 1) ++batch->retried;
        if (took > kCallDeadline + 5s) ++batch->late;
        batch->longest_ms = std::max(batch->longest_ms, Ms(took));
        batch->cv.notify_all();
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(batch->mu);
    batch->cv.wait_for(lock, 120s, [&] { return batch->done >= n / 4; });
  }
  auto fault_start = std::chrono::steady_clock::now();
  if (fault) fault();
  auto fault_ms = Ms(std::chrono::steady_clock::now() - fault_start);
  CallCounts c;
  c.n = n;
  {
    std::unique_lock<std::mutex> lock(batch->mu);
    batch->cv.wait_until(lock, std::chrono::steady_clock::now() + kCallDeadline + 20s,
                         [&] { return batch->done == n; });
    c.ok = batch->ok;
    c.retried = batch->retried;
    c.late = batch->late;
    c.lost = n - batch->done;
  }
  if (c.lost == 0) {
    for (auto& t : callers) t.join();
  } else {
    for (auto& t : callers) t.detach();  // they own what they use; the assertions fail below
  }
  std::string failed;
  for (const auto& [code, count] : batch->failed) {
    failed += (failed.empty() ? "" : ", ") + StatusCodeName(code) + " " + std::to_string(count);
    if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded) {
      c.unexpected += count;
    }
  }
  {
    std::lock_guard<std::mutex> lock(service.mu);
    for (int i = 0; i < n; ++i) {
      auto it = service.executions.find(prefix + "-" + std::to_string(i));
      if (it == service.executions.end()) continue;
      c.executions += it->second;
      if (it->second > 1)
        (batch->attempts[i] > 1 ? c.retry_duplicates : c.other_duplicates) += it->second - 1;
    }
  }
  c.summary =
      label + ": " + std::to_string(n) + " calls (64 concurrent, retry on, wait-for-ready, " +
      std::to_string(kCallDeadline.count()) + " s deadline): ok " + std::to_string(c.ok) +
      ", retried " + std::to_string(c.retried) + ", failed " + std::to_string(n - c.lost - c.ok) +
      (failed.empty() ? "" : " (" + failed + ")") + ", late " + std::to_string(c.late) + ", lost " +
      std::to_string(c.lost) + "; handler executions " + std::to_string(c.executions) +
      " (duplicates " + std::to_string(c.retry_duplicates) + " by retry, " +
      std::to_string(c.other_duplicates) + " by redelivery); longest call " +
      std::to_string(batch->longest_ms) + " ms; fault step " + std::to_string(fault_ms) + " ms";
  std::cout << "cluster summary: " << c.summary << std::endl;
  return c;
}

// The assertions every case makes about a batch of calls.
void CheckNothingLost(const CallCounts& c) {
  INFO(c.summary);
  CHECK(c.lost == 0);
  CHECK(c.late == 0);
  CHECK(c.unexpected == 0);
  CHECK(c.ok > c.n / 2);  // the fault costs some calls, not most of them
}

// One call succeeds through `channel` within 60 s (after a fault).
bool CallsWork(Channel& channel, const QuorumSpec& s) {
  return testing::Eventually(
      [&] {
        ClientContext ctx;
        ctx.set_timeout(3s);
        StringValue req, resp;
        req.set_value("probe");
        return internal::BlockingUnaryCall(&channel, s.spec, 0, &ctx, req, &resp).ok();
      },
      60s);
}

// A server on node kServerNode serving a fresh QuorumSpec whose queues lead on kLeaderNode.
struct Deployment {
  explicit Deployment(const Cluster& cluster) : cluster(cluster) {
    DeclareQueuesOn(cluster, kLeaderNode, *spec);
    server = std::make_unique<Server>(
        ConnectedBroker(cluster.Url(kServerNode, UniqueName("cluster-server"))));
    REQUIRE(server->RegisterService(&service).ok());
    REQUIRE(server->Start().ok());
    client_name = UniqueName("cluster-client");
    client = ConnectedBroker(cluster.Url(kClientNode, client_name));
    channel = CreateChannel(client);
  }
  ~Deployment() {
    if (server) server->Shutdown(5s).IgnoreError();
    if (client) {
      client->DeleteQueue(spec->echo_queue).IgnoreError();
      client->DeleteQueue(spec->notify_queue).IgnoreError();
    }
  }
  const Cluster& cluster;
  std::shared_ptr<QuorumSpec> spec = std::make_shared<QuorumSpec>();
  CountingService service{*spec};
  std::unique_ptr<Server> server;
  std::string client_name;
  std::shared_ptr<Broker> client;
  std::shared_ptr<Channel> channel;
};

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

// Outcomes of asynchronous publishes: written by completion callbacks (brokrpc threads) under
// `mu`, read by the test thread. Owns the calls' contexts.
struct PublishBatch {
  explicit PublishBatch(int n) : contexts(n) {}
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0, done = 0, confirmed = 0;
  std::map<StatusCode, int> failed;
  std::set<std::string> confirmed_ids;
  std::vector<std::unique_ptr<ClientContext>> contexts;
};

TEST_CASE("cluster: 10000 confirmed persistent messages to a quorum queue while a node dies",
          "[cluster]") {
  constexpr int kMessages = 10000, kWindow = 256;
  Cluster cluster;
  Deployment d(cluster);
  auto batch = std::make_shared<PublishBatch>(kMessages);
  const std::string prefix = UniqueName("note");
  bool killed = false;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kMessages; ++i) {
    if (i == kMessages / 4) {
      cluster.Kill(kLeaderNode);  // the publishes in flight meet the leader's death
      killed = true;
    }
    {
      std::unique_lock<std::mutex> lock(batch->mu);
      REQUIRE(batch->cv.wait_for(lock, 60s, [&] { return batch->in_flight < kWindow; }));
      ++batch->in_flight;
    }
    batch->contexts[i] = std::make_unique<ClientContext>();
    const std::string id = prefix + "-" + std::to_string(i);
    d.channel->StartPublish(d.spec->spec, 1, batch->contexts[i].get(), testing::EncodedString(id),
                            [batch, id](Status s) {
                              std::lock_guard<std::mutex> lock(batch->mu);
                              --batch->in_flight;
                              ++batch->done;
                              if (s.ok()) {
                                ++batch->confirmed;
                                batch->confirmed_ids.insert(id);
                              } else {
                                ++batch->failed[s.code()];
                              }
                              batch->cv.notify_all();
                            });
  }
  REQUIRE(killed);
  int lost = 0;
  std::set<std::string> confirmed;
  std::string failed;
  {
    std::unique_lock<std::mutex> lock(batch->mu);
    batch->cv.wait_for(lock, 60s, [&] { return batch->done == kMessages; });
    lost = kMessages - batch->done;
    confirmed = batch->confirmed_ids;
    for (const auto& [code, count] : batch->failed) {
      failed += (failed.empty() ? "" : ", ") + StatusCodeName(code) + " " + std::to_string(count);
    }
  }
  auto published_ms = Ms(std::chrono::steady_clock::now() - start);
  int missing = 0, duplicates = 0, consumed = 0;
  testing::Eventually(
      [&] {
        std::lock_guard<std::mutex> lock(d.service.mu);
        missing = 0;
        for (const auto& id : confirmed) {
          if (!d.service.deliveries.count(id)) ++missing;
        }
        return missing == 0;
      },
      60s);
  {
    std::lock_guard<std::mutex> lock(d.service.mu);
    for (const auto& [id, n] : d.service.deliveries) {
      if (id.rfind(prefix, 0) != 0) continue;
      ++consumed;
      duplicates += n - 1;
    }
  }
  std::cout << "cluster summary: case 3, kill -9 of the leader's node under " << kMessages
            << " persistent fire-and-forget messages (window " << kWindow << "): confirmed "
            << confirmed.size() << ", failed " << (kMessages - lost - confirmed.size())
            << (failed.empty() ? "" : " (" + failed + ")") << ", lost " << lost << " in "
            << published_ms << " ms; consumed " << consumed << " distinct, duplicates "
            << duplicates << ", confirmed but never consumed " << missing << std::endl;
  CHECK(lost == 0);
  CHECK(missing == 0);
  CHECK(confirmed.size() > kMessages / 2);
  cluster.StartNode(kLeaderNode);
  cluster.WaitAllRunning(1);
}

}  // namespace
}  // namespace brokrpc
