// Case 4 of the cluster fault suite: a server stream and a bidirectional stream in flight when
// the node of their client's connection dies, and when the node of their server's connection
// dies. They end
// with UNAVAILABLE within kBound (no deadline is set: only the loss can end them), and new streams
// succeed on the surviving nodes. Each kill is undone before the next.
#include <catch2/catch.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "cluster/cluster_support.h"
#include "support/stream_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::Cluster;
using testing::ConnectedBroker;
using testing::Int32Value;
using testing::Ms;
using testing::StreamService;
using testing::StreamSpec;
using testing::StringValue;
using testing::UniqueName;

// How long a stream may take to end after its node died (measured: see the summary lines).
constexpr auto kBound = 15s;

// A server stream (Hold) and a bidi stream (Chat), both past their first message.
struct OpenStreams {
  OpenStreams(Channel& channel, const StreamSpec& spec) {
    Int32Value n;
    n.set_value(7);
    hold = internal::ServerStreamingCall<Int32Value, Int32Value>(&channel, spec.spec(),
                                                                 StreamSpec::kHold, &hold_ctx, n);
    chat = internal::BidiStreamingCall<StringValue, StringValue>(&channel, spec.spec(),
                                                                 StreamSpec::kChat, &chat_ctx);
  }
  // True when both streams answered their first message.
  bool Flowing() {
    Int32Value v;
    StringValue out, in;
    out.set_value("hello");
    return hold->Read(&v) && v.value() == 7 && chat->Write(out) && chat->Read(&in);
  }
  ClientContext hold_ctx, chat_ctx;  // no deadline
  std::unique_ptr<ClientReader<Int32Value>> hold;
  std::unique_ptr<ClientReaderWriter<StringValue, StringValue>> chat;
};

// Kills `victim` with the streams in flight; checks how they end and that new streams work.
void StreamsSurvive(const Cluster& cluster, Channel& channel, const StreamSpec& spec, int victim,
                    const std::string& whose) {
  OpenStreams streams(channel, spec);
  REQUIRE(streams.Flowing());
  auto killed = std::chrono::steady_clock::now();
  cluster.Kill(victim);
  Int32Value v;
  while (streams.hold->Read(&v)) {
  }
  Status hold = streams.hold->Finish();
  auto hold_ms = Ms(std::chrono::steady_clock::now() - killed);
  StringValue in;
  while (streams.chat->Read(&in)) {
  }
  Status chat = streams.chat->Finish();
  auto chat_ms = Ms(std::chrono::steady_clock::now() - killed);
  // New streams on the surviving nodes (the connections move there first).
  auto recovered = testing::Eventually(
      [&] {
        OpenStreams again(channel, spec);
        bool ok = again.Flowing();
        again.hold_ctx.TryCancel();
        again.chat->WritesDone();
        again.chat_ctx.TryCancel();
        return ok;
      },
      60s);
  auto recovered_ms = Ms(std::chrono::steady_clock::now() - killed);
  std::cout << "cluster summary: case 4, kill -9 of the " << whose << "'s node: server stream "
            << StatusCodeName(hold.code()) << " after " << hold_ms << " ms, bidi stream "
            << StatusCodeName(chat.code()) << " after " << chat_ms << " ms (bound " << Ms(kBound)
            << " ms); new streams " << (recovered ? "ok" : "FAILED") << " after " << recovered_ms
            << " ms" << std::endl;
  INFO(hold.ToString() << " / " << chat.ToString());
  CHECK(hold.code() == StatusCode::kUnavailable);
  CHECK(chat.code() == StatusCode::kUnavailable);
  CHECK(hold_ms < Ms(kBound));
  CHECK(chat_ms < Ms(kBound));
  CHECK(recovered);
  cluster.StartNode(victim);
  cluster.WaitAllRunning(victim);
}

TEST_CASE("cluster: streams in flight when their client's node dies", "[cluster]") {
  Cluster cluster;
  StreamSpec spec(UniqueName("cluster-streams"));
  StreamService service(spec);
  // The client on node 1, the server on node 2 (each URL names all three nodes).
  Server server(ConnectedBroker(cluster.Url(2, UniqueName("stream-server"))));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(cluster.Url(1, UniqueName("stream-client"))));
  StreamsSurvive(cluster, *channel, spec, 1, "client");
  REQUIRE(server.Shutdown(5s).ok());
}

// The server's node dies: the server reconnects elsewhere and replaces its stream queue; the
// client's keepalive pings to the old one come back unroutable.
TEST_CASE("cluster: streams in flight when their server's node dies", "[cluster]") {
  Cluster cluster;
  StreamSpec spec(UniqueName("cluster-streams"));
  StreamService service(spec);
  Server server(ConnectedBroker(cluster.Url(2, UniqueName("stream-server"))));
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(ConnectedBroker(cluster.Url(1, UniqueName("stream-client"))));
  StreamsSurvive(cluster, *channel, spec, 2, "server");
  REQUIRE(server.Shutdown(5s).ok());
}

}  // namespace
}  // namespace brokrpc
