// Streaming calls on both transports: every kind with 0, 1 and 10,000 messages, order, errors,
// cancellation, deadlines and flow control.
#include <catch2/catch.hpp>
#include <thread>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/server.h"
#include "support/stream_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::Int32Value;
using testing::Int64Value;
using testing::StreamService;
using testing::StreamSpec;
using testing::StringValue;
using testing::UniqueName;

struct StreamRig {
  StreamSpec spec{UniqueName("streams")};
  StreamService service{spec};
  std::shared_ptr<Broker> server_broker = ConnectedBroker(ContractUrl());
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;

  explicit StreamRig(ServerOptions server_options = {}, ChannelOptions channel_options = {}) {
    server = std::make_unique<Server>(server_broker, server_options);
    REQUIRE(server->RegisterService(&service).ok());
    Status started = server->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    channel = CreateChannel(ConnectedBroker(ContractUrl()), channel_options);
  }
  ~StreamRig() { server->Shutdown(5s).IgnoreError(); }

  std::unique_ptr<ClientReader<Int32Value>> Range(ClientContext* ctx, int n) {
    Int32Value req;
    req.set_value(n);
    return internal::ServerStreamingCall<Int32Value, Int32Value>(channel.get(), spec.spec(),
                                                                 StreamSpec::kRange, ctx, req);
  }
};

TEST_CASE("stream contract: server streaming with 0, 1 and 10,000 messages, in order", "[stream]") {
  StreamRig rig;
  for (int n : {0, 1, 10000}) {
    INFO("n = " << n);
    ClientContext ctx;
    ctx.set_timeout(60s);
    auto reader = rig.Range(&ctx, n);
    Int32Value v;
    int expected = 0;
    bool in_order = true;
    while (reader->Read(&v)) in_order &= v.value() == expected++;
    Status s = reader->Finish();
    INFO(s.ToString());
    CHECK(s.ok());
    CHECK(in_order);
    CHECK(expected == n);
  }
}

TEST_CASE("stream contract: client streaming with 0, 1 and 10,000 messages", "[stream]") {
  StreamRig rig;
  for (int n : {0, 1, 10000}) {
    INFO("n = " << n);
    ClientContext ctx;
    ctx.set_timeout(60s);
    Int64Value sum;
    auto writer = internal::ClientStreamingCall<Int32Value, Int64Value>(
        rig.channel.get(), rig.spec.spec(), StreamSpec::kSum, &ctx, &sum);
    int64_t expected = 0;
    for (int i = 0; i < n; ++i) {
      Int32Value v;
      v.set_value(i);
      expected += i;
      REQUIRE(writer->Write(v));
    }
    Status s = writer->Finish();
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(sum.value() == expected);
  }
}

TEST_CASE("stream contract: bidirectional with 0, 1 and 10,000 messages, in order", "[stream]") {
  StreamRig rig;
  for (int n : {0, 1, 10000}) {
    INFO("n = " << n);
    ClientContext ctx;
    ctx.set_timeout(60s);
    auto stream = internal::BidiStreamingCall<StringValue, StringValue>(
        rig.channel.get(), rig.spec.spec(), StreamSpec::kChat, &ctx);
    std::thread writer([&] {
      for (int i = 0; i < n; ++i) {
        StringValue v;
        v.set_value(std::to_string(i));
        if (!stream->Write(v)) break;
      }
      stream->WritesDone();
    });
    StringValue v;
    int got = 0;
    bool in_order = true;
    while (stream->Read(&v)) in_order &= v.value() == "s1:" + std::to_string(got++);
    writer.join();
    Status s = stream->Finish();
    INFO(s.ToString());
    CHECK(s.ok());
    CHECK(in_order);
    CHECK(got == n);
  }
}

TEST_CASE("stream contract: a server error mid-stream is the final status", "[stream]") {
  StreamRig rig;
  ClientContext ctx;
  auto reader = rig.Range(&ctx, -5);
  Int32Value v;
  int got = 0;
  while (reader->Read(&v)) ++got;
  Status s = reader->Finish();
  CHECK(got == 5);
  CHECK(s.code() == StatusCode::kAborted);
  CHECK(s.message() == "stopped after 5");
}

TEST_CASE("stream contract: a client cancel is seen by the server handler", "[stream]") {
  StreamRig rig;
  ClientContext ctx;
  Int32Value req;
  req.set_value(7);
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
      rig.channel.get(), rig.spec.spec(), StreamSpec::kHold, &ctx, req);
  Int32Value v;
  REQUIRE(reader->Read(&v));
  CHECK(v.value() == 7);
  ctx.TryCancel();
  CHECK_FALSE(reader->Read(&v));
  CHECK(reader->Finish().code() == StatusCode::kCancelled);
  REQUIRE(testing::Eventually([&] { return rig.service.hold_saw_cancel.load() == 1; }));
}

TEST_CASE("stream contract: the deadline ends both sides mid-stream", "[stream]") {
  StreamRig rig;
  ClientContext ctx;
  ctx.set_timeout(500ms);
  Int32Value req;
  req.set_value(1);
  auto start = std::chrono::steady_clock::now();
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
      rig.channel.get(), rig.spec.spec(), StreamSpec::kHold, &ctx, req);
  Int32Value v;
  REQUIRE(reader->Read(&v));
  CHECK_FALSE(reader->Read(&v));
  Status s = reader->Finish();
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(s.code() == StatusCode::kDeadlineExceeded);
  CHECK(elapsed >= 450ms);
  CHECK(elapsed < 3s);
  // The server handler saw its deadline pass too (its context reports cancelled).
  REQUIRE(testing::Eventually([&] { return rig.service.hold_saw_cancel.load() == 1; }));
}

TEST_CASE("stream contract: a slow reader makes the writer wait, memory stays bounded",
          "[stream]") {
  StreamRig rig(ServerOptions{}, ChannelOptions{.stream_window = 16});
  ClientContext ctx;
  ctx.set_timeout(60s);
  auto reader = rig.Range(&ctx, 200);
  Int32Value v;
  int got = 0;
  while (reader->Read(&v)) {
    ++got;
    if (got % 20 == 0) std::this_thread::sleep_for(20ms);  // the slow reader under test
  }
  REQUIRE(reader->Finish().ok());
  CHECK(got == 200);
  // With a window of 16 the writer ran out of credit and waited for the reader.
  CHECK(rig.service.longest_write_wait_us.load() >= 10000);
}

TEST_CASE("stream contract: reserved metadata and a missing server fail the stream", "[stream]") {
  StreamRig rig;
  ClientContext bad;
  bad.AddMetadata("x-brokrpc-deadline", "1");
  auto reader = rig.Range(&bad, 1);
  Int32Value v;
  CHECK_FALSE(reader->Read(&v));
  CHECK(reader->Finish().code() == StatusCode::kInvalidArgument);

  StreamSpec nobody(UniqueName("nobody"));
  ClientContext ctx;
  ctx.set_timeout(10s);
  Int32Value req;
  auto start = std::chrono::steady_clock::now();
  auto lonely = internal::ServerStreamingCall<Int32Value, Int32Value>(
      rig.channel.get(), nobody.spec(), StreamSpec::kRange, &ctx, req);
  CHECK_FALSE(lonely->Read(&v));
  Status s = lonely->Finish();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE(
    "stream contract: beyond max_concurrent_streams a stream ends at once with "
    "RESOURCE_EXHAUSTED, handlers run on that many threads",
    "[stream][limit]") {
  StreamRig rig(ServerOptions{.max_concurrent_streams = 2});
  // Two held streams fill the server.
  ClientContext held_ctx[2];
  std::unique_ptr<ClientReader<Int32Value>> held[2];
  Int32Value v;
  for (int i = 0; i < 2; ++i) {
    held_ctx[i].set_timeout(60s);
    Int32Value req;
    req.set_value(i);
    held[i] = internal::ServerStreamingCall<Int32Value, Int32Value>(
        rig.channel.get(), rig.spec.spec(), StreamSpec::kHold, &held_ctx[i], req);
    REQUIRE(held[i]->Read(&v));  // its handler runs
  }

  // A third is refused at once, long before its deadline.
  ClientContext over;
  over.set_timeout(60s);
  auto start = std::chrono::steady_clock::now();
  auto refused = rig.Range(&over, 3);
  CHECK_FALSE(refused->Read(&v));
  Status s = refused->Finish();
  auto waited = std::chrono::steady_clock::now() - start;
  INFO(s.ToString());
  CHECK(s.code() == StatusCode::kResourceExhausted);
  CHECK(waited < 30s);

  // Once a held stream ended, its slot serves new streams, on the same threads.
  held_ctx[0].TryCancel();
  CHECK_FALSE(held[0]->Read(&v));
  CHECK(held[0]->Finish().code() == StatusCode::kCancelled);
  auto range_ok = [&] {
    ClientContext ctx;
    ctx.set_timeout(30s);
    auto reader = rig.Range(&ctx, 3);
    int n = 0;
    while (reader->Read(&v)) ++n;
    return reader->Finish().ok() && n == 3;
  };
  REQUIRE(testing::Eventually(range_ok));  // the slot is free once the handler returned
  int ok = 0;
  for (int i = 0; i < 10; ++i) ok += range_ok() ? 1 : 0;
  CHECK(ok == 10);
  held_ctx[1].TryCancel();
  CHECK_FALSE(held[1]->Read(&v));
  CHECK(held[1]->Finish().code() == StatusCode::kCancelled);
  CHECK(rig.service.HandlerThreads().size() <= 2);
}

}  // namespace
}  // namespace brokrpc

namespace brokrpc {
namespace {

TEST_CASE("stream contract: asynchronous reads, writes and finish", "[stream]") {
  StreamRig rig;
  // A server stream read with callbacks only.
  ClientContext ctx;
  auto reader = rig.Range(&ctx, 100);
  std::promise<int> count_done;
  std::atomic<int> count{0};
  std::function<void(std::optional<Int32Value>)> on_read;
  on_read = [&](std::optional<Int32Value> v) {
    if (!v) {
      count_done.set_value(count.load());
      return;
    }
    if (v->value() == count) ++count;
    reader->ReadAsync(on_read);
  };
  reader->ReadAsync(on_read);
  CHECK(count_done.get_future().get() == 100);
  std::promise<Status> finished;
  reader->FinishAsync([&](Status s) { finished.set_value(std::move(s)); });
  CHECK(finished.get_future().get().ok());

  // A bidirectional stream written asynchronously, beyond the window, then read.
  ClientContext chat_ctx;
  auto chat = internal::BidiStreamingCall<StringValue, StringValue>(
      rig.channel.get(), rig.spec.spec(), StreamSpec::kChat, &chat_ctx);
  std::atomic<int> sent{0};
  testing::Latch all_sent(200);
  for (int i = 0; i < 200; ++i) {
    StringValue v;
    v.set_value(std::to_string(i));
    chat->WriteAsync(v, [&](bool ok) {
      if (ok) ++sent;
      all_sent.CountDown();
    });
  }
  StringValue in;
  int got = 0;
  while (got < 200 && chat->Read(&in)) CHECK(in.value() == "s1:" + std::to_string(got++));
  REQUIRE(all_sent.Wait());
  CHECK(sent.load() == 200);
  chat->WritesDone();
  CHECK_FALSE(chat->Read(&in));
  CHECK(chat->Finish().ok());
}

}  // namespace
}  // namespace brokrpc
