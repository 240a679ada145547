// Streams on a real broker: a server killed mid-stream, two instances with 100 streams, and no
// queue left behind.

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/child_process.h"
#include "support/stream_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::Int32Value;
using testing::RabbitUrl;
using testing::StreamService;
using testing::StreamSpec;
using testing::StringValue;
using testing::UniqueName;

TEST_CASE("stream integration: a server killed mid-stream gives UNAVAILABLE, never a hang",
          "[stream][slow]") {
  std::string exchange = UniqueName("killed");
  StreamSpec spec(exchange);
  testing::ChildProcess server({STREAM_TEST_SERVER, RabbitUrl(), exchange, "doomed"});
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  ClientContext ctx;  // no deadline: only liveness can end this stream
  Int32Value req;
  req.set_value(42);
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(channel.get(), spec.spec(),
                                                                      StreamSpec::kHold, &ctx, req);
  Int32Value v;
  REQUIRE(reader->Read(&v));
  CHECK(v.value() == 42);
  server.Kill();
  auto killed = std::chrono::steady_clock::now();
  CHECK_FALSE(reader->Read(&v));
  Status s = reader->Finish();
  auto elapsed = std::chrono::steady_clock::now() - killed;
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kUnavailable);
  // The keepalive (1 s) probes the server's queue, which RabbitMQ deleted with its connection.
  CHECK(elapsed < 4s);
  WARN("killed server detected after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}

TEST_CASE("stream integration: 100 streams over two instances each stay on one instance",
          "[stream]") {
  StreamSpec spec(UniqueName("two"));
  StreamService s1(spec, "s1"), s2(spec, "s2");
  Server server1(ConnectedBroker(RabbitUrl())), server2(ConnectedBroker(RabbitUrl()));
  REQUIRE(server1.RegisterService(&s1).ok());
  REQUIRE(server2.RegisterService(&s2).ok());
  REQUIRE(server1.Start().ok());
  REQUIRE(server2.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
  constexpr int kStreams = 100;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::map<std::string, int> per_instance;
  int mixed = 0, failed = 0;
  for (int i = 0; i < kStreams; ++i) {
    threads.emplace_back([&, i] {
      ClientContext ctx;
      ctx.set_timeout(60s);
      auto stream = internal::BidiStreamingCall<StringValue, StringValue>(
          channel.get(), spec.spec(), StreamSpec::kChat, &ctx);
      std::set<std::string> instances;
      for (int m = 0; m < 5; ++m) {
        StringValue out, in;
        out.set_value(std::to_string(i) + "." + std::to_string(m));
        if (!stream->Write(out) || !stream->Read(&in)) break;
        instances.insert(in.value().substr(0, in.value().find(':')));
      }
      stream->WritesDone();
      Status s = stream->Finish();
      std::lock_guard<std::mutex> lock(mu);
      if (!s.ok()) ++failed;
      if (instances.size() != 1) ++mixed;
      if (instances.size() == 1) ++per_instance[*instances.begin()];
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(mixed == 0);
  CHECK(per_instance["s1"] + per_instance["s2"] == kStreams);
  CHECK(per_instance["s1"] > 0);  // the method queue spreads openings over both instances
  CHECK(per_instance["s2"] > 0);
  REQUIRE(server1.Shutdown(5s).ok());
  REQUIRE(server2.Shutdown(5s).ok());
}

// Names of the queues on the broker.
std::set<std::string> Queues() {
  std::string out = testing::RabbitCtl("list_queues -q --no-table-headers name");
  std::set<std::string> names;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    if (!line.empty()) names.insert(line);
    start = end + 1;
  }
  return names;
}

TEST_CASE("stream integration: no queue is left behind", "[stream]") {
  std::set<std::string> before = Queues();
  {
    StreamSpec spec(UniqueName("tidy"));
    StreamService service(spec);
    Server server(ConnectedBroker(RabbitUrl()));
    REQUIRE(server.RegisterService(&service).ok());
    REQUIRE(server.Start().ok());
    auto channel = CreateChannel(ConnectedBroker(RabbitUrl()));
    for (int i = 0; i < 5; ++i) {
      ClientContext ctx;
      Int32Value req;
      req.set_value(3);
      auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
          channel.get(), spec.spec(), StreamSpec::kRange, &ctx, req);
      Int32Value v;
      while (reader->Read(&v)) {
      }
      REQUIRE(reader->Finish().ok());
    }
    CHECK(Queues().size() > before.size());  // stream, reply and method queues exist now
    REQUIRE(server.Shutdown(5s).ok());
  }
  std::set<std::string> after;
  REQUIRE(testing::Eventually([&] {
    after = Queues();
    return after == before;
  }));
  for (const auto& q : after) {
    INFO("left behind: " << q);
    CHECK(before.count(q) == 1);
  }
}

}  // namespace
}  // namespace brokrpc
