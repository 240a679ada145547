// The cluster fault suite, fire-and-forget (./scripts/test-cluster): 10,000 confirmed persistent
// messages to a quorum queue while the node of its leader is killed; every confirmed message is
// consumed. Prints one summary line and asserts its counts.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "brokrpc/impl/call_paths.h"
#include "cluster/cluster_deployment.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using namespace testing;

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
    brokrpc::internal::StartPublish(*d.channel, d.spec->spec, 1, batch->contexts[i].get(),
                                    testing::EncodedString(id), [batch, id](Status s) {
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
