#include "cluster/cluster_deployment.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <iostream>
#include <thread>
#include <vector>

#include "brokrpc/impl/codegen.h"

namespace brokrpc::testing {

// A quorum queue option: durable, neither exclusive nor auto-delete (quorum queues refuse both).
QueueOptions Quorum(const std::string& name) {
  return {.name = name,
          .durable = true,
          .exclusive = false,
          .auto_delete = false,
          .arguments = FieldTable{{"x-queue-type", "quorum"}}};
}

CountingService::CountingService(const QuorumSpec& s) : Service(s.spec) {
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

Deployment::Deployment(const Cluster& cluster) : cluster(cluster) {
  DeclareQueuesOn(cluster, kLeaderNode, *spec);
  server = std::make_unique<Server>(
      ConnectedBroker(cluster.Url(kServerNode, UniqueName("cluster-server"))));
  REQUIRE(server->RegisterService(&service).ok());
  REQUIRE(server->Start().ok());
  client_name = UniqueName("cluster-client");
  client = ConnectedBroker(cluster.Url(kClientNode, client_name));
  channel = CreateChannel(client);
}

Deployment::~Deployment() {
  if (server) server->Shutdown(5s).IgnoreError();
  if (client) {
    client->DeleteQueue(spec->echo_queue).IgnoreError();
    client->DeleteQueue(spec->notify_queue).IgnoreError();
  }
}

}  // namespace brokrpc::testing
