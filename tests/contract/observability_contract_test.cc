// Observability on both transports (memory:// and RabbitMQ): metrics after a known mix of
// outcomes, and deadline, trace context and cancellation carried across three hops.
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/metrics.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/prometheus_lines.h"
#include "support/stream_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::CallEcho;
using testing::CallNotify;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::EchoService;
using testing::EchoSpec;
using testing::Eventually;
using testing::Int32Value;
using testing::Latch;
using testing::StreamService;
using testing::StreamSpec;
using testing::UniqueName;

constexpr size_t kOk = 0, kNotFound = 5, kDeadline = 4, kUnavailable = 14;

// A server of `service` and a channel on a connection of its own, both measured by one Metrics
// (which also watches the client's connection).
struct Measured {
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();
  std::shared_ptr<Broker> client_broker = ConnectedBroker(ContractUrl());
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;

  explicit Measured(Service* service) {
    server =
        std::make_unique<Server>(ConnectedBroker(ContractUrl()),
                                 ServerOptions{.interceptors = {metrics->server_interceptor()}});
    REQUIRE(server->RegisterService(service).ok());
    REQUIRE(server->Start().ok());
    metrics->WatchConnection(*client_broker);
    channel = CreateChannel(client_broker,
                            ChannelOptions{.interceptors = {metrics->client_interceptor()}});
  }
  ~Measured() { server->Shutdown(5s).IgnoreError(); }
};

TEST_CASE("observability contract: metrics count a known mix of outcomes", "[observability]") {
  EchoSpec spec(UniqueName("obs"), "obs");
  Latch release(1);
  EchoService service(
      spec, [&](ServerContext*, const testing::StringValue& req, testing::StringValue* resp) {
        if (req.value() == "fail") return NotFoundError("no such thing");
        if (req.value() == "hold") release.Wait(60s);  // until the caller gave up
        resp->set_value(req.value());
        return OkStatus();
      });
  Measured rig(&service);
  std::shared_ptr<Metrics>& metrics = rig.metrics;
  std::shared_ptr<Channel>& channel = rig.channel;

  auto call = [&](const std::string& value, std::chrono::milliseconds timeout) {
    ClientContext ctx;
    ctx.set_timeout(timeout);
    return CallEcho(*channel, spec, &ctx, value, nullptr).code();
  };
  for (int i = 0; i < 3; ++i) CHECK(call("ok", 30s) == StatusCode::kOk);
  for (int i = 0; i < 2; ++i) CHECK(call("fail", 30s) == StatusCode::kNotFound);
  CHECK(call("hold", 2s) == StatusCode::kDeadlineExceeded);
  release.CountDown();
  for (int i = 0; i < 2; ++i) {
    ClientContext ctx;
    CHECK(CallNotify(*channel, spec, &ctx, "note").ok());
  }
  // Asynchronous calls (the generated *Async stubs): the metrics interceptor is an observer, so
  // they stay asynchronous and are recorded where they complete.
  {
    std::vector<std::unique_ptr<ClientContext>> contexts;
    std::vector<std::future<StatusOr<testing::StringValue>>> replies;
    testing::StringValue request;
    request.set_value("ok");
    for (int i = 0; i < 4; ++i) {
      contexts.push_back(std::make_unique<ClientContext>());
      contexts.back()->set_timeout(30s);
      replies.push_back(internal::AsyncUnaryCall<testing::StringValue, testing::StringValue>(
          channel.get(), spec.spec(), EchoSpec::kEcho, contexts.back().get(), request));
    }
    for (auto& reply : replies) CHECK(reply.get().ok());
  }
  // Nobody serves this package on that exchange: the request comes back unroutable.
  EchoSpec nobody(spec.exchange(), "nobody");
  {
    ClientContext ctx;
    ctx.set_timeout(30s);
    CHECK(CallEcho(*channel, nobody, &ctx, "x", nullptr).code() == StatusCode::kUnavailable);
  }
  {
    ClientContext ctx;  // a fire-and-forget message nobody consumes: known at the confirm
    CHECK(CallNotify(*channel, nobody, &ctx, "x").code() == StatusCode::kUnavailable);
  }

  // The client records before each call returns.
  MetricsSnapshot snap = metrics->Snapshot();
  const MethodMetricsSnapshot* echo = snap.FindClient("obs.Echo", "Echo");
  REQUIRE(echo != nullptr);
  CHECK(echo->type == "unary");
  CHECK(echo->started == 10);
  CHECK(echo->handled[kOk] == 7);
  CHECK(echo->handled[kNotFound] == 2);
  CHECK(echo->handled[kDeadline] == 1);
  CHECK(echo->handled_total() == 10);
  CHECK(echo->msg_sent == 10);
  CHECK(echo->msg_received == 7);
  CHECK(echo->unroutable == 0);
  const HistogramSnapshot& h = echo->handling_seconds;
  REQUIRE(h.bounds == Metrics::DefaultLatencyBuckets());
  CHECK(h.count == 10);
  CHECK(h.bucket_counts.back() == 10);  // le=10: nothing took 10 s
  CHECK(h.bucket_counts[10] <= 9);      // le=1: the held call took its 2 s deadline
  CHECK(h.sum_seconds >= 1.9);
  const MethodMetricsSnapshot* note = snap.FindClient("obs.Echo", "Notify");
  REQUIRE(note != nullptr);
  CHECK(note->type == "fire_and_forget");
  CHECK(note->handled[kOk] == 2);
  CHECK(note->msg_received == 0);
  const MethodMetricsSnapshot* lost = snap.FindClient("nobody.Echo", "Echo");
  REQUIRE(lost != nullptr);
  CHECK(lost->handled[kUnavailable] == 1);
  CHECK(lost->unroutable == 1);
  const MethodMetricsSnapshot* lost_note = snap.FindClient("nobody.Echo", "Notify");
  REQUIRE(lost_note != nullptr);
  CHECK(lost_note->handled[kUnavailable] == 1);
  CHECK(lost_note->unroutable == 1);

  // The server records after the reply went out: wait for the last ones.
  REQUIRE(Eventually([&] {
    MetricsSnapshot s = metrics->Snapshot();
    const auto* e = s.FindServer("obs.Echo", "Echo");
    const auto* n = s.FindServer("obs.Echo", "Notify");
    return e != nullptr && e->handled_total() == 10 && n != nullptr && n->handled_total() == 2;
  }));
  snap = metrics->Snapshot();
  const MethodMetricsSnapshot* served = snap.FindServer("obs.Echo", "Echo");
  CHECK(served->started == 10);
  CHECK(served->handled[kOk] == 8);  // the held call too: its handler returned OK, late
  CHECK(served->handled[kNotFound] == 2);
  CHECK(served->msg_received == 10);
  CHECK(served->msg_sent == 8);
  CHECK(served->handling_seconds.count == 10);
  CHECK(served->redelivered == 0);
  const MethodMetricsSnapshot* notified = snap.FindServer("obs.Echo", "Notify");
  CHECK(notified->type == "fire_and_forget");
  CHECK(notified->handled[kOk] == 2);
  CHECK(snap.FindServer("nobody.Echo", "Echo") == nullptr);
  CHECK(snap.connection_reconnects == 0);

  std::string text = metrics->PrometheusText();
  INFO(text);
  CHECK(testing::PrometheusTextProblem(text).empty());
  CHECK(text.find(R"(brokrpc_client_handled_total{service="obs.Echo",method="Echo",type="unary",)"
                  R"(code="DeadlineExceeded"} 1)") != std::string::npos);
  CHECK(text.find(R"(brokrpc_client_unroutable_total{service="nobody.Echo",method="Echo",)"
                  R"(type="unary"} 1)") != std::string::npos);
  rig.server->Shutdown(5s).IgnoreError();
}

TEST_CASE("observability contract: redeliveries and publish confirms are measured",
          "[observability]") {
  auto metrics = std::make_shared<Metrics>();
  EchoSpec spec(UniqueName("obs-re"), "obsre");
  Latch second(1);
  std::atomic<int> deliveries{0};
  std::mutex trace_mu;
  std::optional<TraceContext> notify_trace;  // trace_mu
  EchoService service(spec, nullptr, [&](ServerContext* ctx, const testing::StringValue&) {
    {
      std::lock_guard<std::mutex> lock(trace_mu);
      notify_trace = ctx->trace_context();
    }
    if (deliveries.fetch_add(1) == 0) return ConsumeResult::Retry(10ms);  // requeued once
    second.CountDown();
    return ConsumeResult::Ack();
  });
  auto server_broker = ConnectedBroker(ContractUrl());
  Server server(server_broker, ServerOptions{.interceptors = {metrics->server_interceptor()}});
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto client_broker = ConnectedBroker(ContractUrl());
  metrics->WatchConnection(*client_broker);  // times every confirmed publish on it
  auto channel = CreateChannel(client_broker);
  ClientContext ctx;
  REQUIRE(CallNotify(*channel, spec, &ctx, "again").ok());
  REQUIRE(second.Wait(30s));
  REQUIRE(Eventually([&] {
    const auto s = metrics->Snapshot();
    const auto* n = s.FindServer("obsre.Echo", "Notify");
    return n != nullptr && n->handled_total() == 2;
  }));
  MetricsSnapshot snap = metrics->Snapshot();
  const MethodMetricsSnapshot* n = snap.FindServer("obsre.Echo", "Notify");
  CHECK(n->started == 2);
  CHECK(n->redelivered == 1);
  CHECK(n->handled[kOk] == 1);
  CHECK(n->handled[2] == 1);  // Retry without a reason: UNKNOWN
  {
    // A fire-and-forget message carries the trace context too.
    std::lock_guard<std::mutex> lock(trace_mu);
    REQUIRE(notify_trace.has_value());
    REQUIRE(ctx.sent_trace_context().has_value());
    CHECK(*notify_trace == *ctx.sent_trace_context());
  }

  auto publisher = client_broker->CreatePublisher(PublisherOptions{
      .exchange = {.name = spec.exchange(), .auto_delete = true}, .declare_exchange = true});
  REQUIRE(publisher.ok());
  for (int i = 0; i < 3; ++i) {
    CHECK((*publisher)->Publish(Message{.body = "m", .routing_key = "nowhere"}).ok());
  }
  // The fire-and-forget message (an RPC publish) and the three messaging-API publishes.
  HistogramSnapshot confirms = metrics->Snapshot().publish_confirm_seconds;
  CHECK(confirms.count == 4);
  CHECK(confirms.bucket_counts.back() == 4);
  server.Shutdown(5s).IgnoreError();
}

TEST_CASE("observability contract: streams are counted, and each of their messages",
          "[observability]") {
  StreamSpec spec(UniqueName("obs-streams"));
  StreamService service(spec);
  Measured rig(&service);
  std::shared_ptr<Metrics>& metrics = rig.metrics;
  std::shared_ptr<Channel>& channel = rig.channel;

  auto range = [](Channel& on, const StreamSpec& s, int n, int* read) {
    ClientContext ctx;
    ctx.set_timeout(30s);
    Int32Value req;
    req.set_value(n);
    auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
        &on, s.spec(), StreamSpec::kRange, &ctx, req);
    Int32Value v;
    while (reader->Read(&v)) ++*read;
    return reader->Finish().code();
  };
  int read_ok = 0, read_aborted = 0, read_nobody = 0;
  CHECK(range(*channel, spec, 5, &read_ok) == StatusCode::kOk);
  // 3 messages, then ABORTED.
  CHECK(range(*channel, spec, -3, &read_aborted) == StatusCode::kAborted);
  CHECK(read_ok == 5);
  CHECK(read_aborted == 3);
  // An exchange nobody serves (counted apart: a series is per routing key, as in gRPC).
  auto lost_metrics = std::make_shared<Metrics>();
  auto lost_channel = CreateChannel(
      rig.client_broker, ChannelOptions{.interceptors = {lost_metrics->client_interceptor()}});
  StreamSpec nobody(UniqueName("obs-nobody"));
  CHECK(range(*lost_channel, nobody, 2, &read_nobody) == StatusCode::kUnavailable);
  CHECK(read_nobody == 0);
  {
    ClientContext ctx;
    ctx.set_timeout(30s);
    testing::Int64Value sum;
    auto writer = internal::ClientStreamingCall<Int32Value, testing::Int64Value>(
        channel.get(), spec.spec(), StreamSpec::kSum, &ctx, &sum);
    for (int i = 1; i <= 4; ++i) {
      Int32Value v;
      v.set_value(i);
      CHECK(writer->Write(v));
    }
    CHECK(writer->Finish().ok());
    CHECK(sum.value() == 10);
  }
  {
    ClientContext ctx;
    ctx.set_timeout(30s);
    auto chat = internal::BidiStreamingCall<testing::StringValue, testing::StringValue>(
        channel.get(), spec.spec(), StreamSpec::kChat, &ctx);
    testing::StringValue v;
    for (int i = 0; i < 3; ++i) {
      v.set_value(std::to_string(i));
      CHECK(chat->Write(v));
      CHECK(chat->Read(&v));
    }
    CHECK(chat->WritesDone());
    CHECK_FALSE(chat->Read(&v));
    CHECK(chat->Finish().ok());
  }

  // Both sides record a stream's end after its status went out: wait for the last ones.
  auto ended = [](const MethodMetricsSnapshot* m, uint64_t n) {
    return m != nullptr && m->handled_total() == n;
  };
  const std::string svc(spec.spec().full_name);
  REQUIRE(Eventually([&] {
    MetricsSnapshot s = metrics->Snapshot();
    return ended(s.FindClient(svc, "Range"), 2) && ended(s.FindServer(svc, "Range"), 2) &&
           ended(s.FindClient(svc, "Sum"), 1) && ended(s.FindServer(svc, "Sum"), 1) &&
           ended(s.FindClient(svc, "Chat"), 1) && ended(s.FindServer(svc, "Chat"), 1);
  }));
  MetricsSnapshot snap = metrics->Snapshot();
  constexpr size_t kAborted = 10;
  const MethodMetricsSnapshot* c_range = snap.FindClient(svc, "Range");
  CHECK(c_range->type == "server_stream");
  CHECK(c_range->started == 2);
  CHECK(c_range->handled[kOk] == 1);
  CHECK(c_range->handled[kAborted] == 1);
  CHECK(c_range->msg_sent == 2);  // the requests, sent with the openings
  CHECK(c_range->msg_received == 8);
  CHECK(c_range->handling_seconds.count == 2);
  const MethodMetricsSnapshot* s_range = snap.FindServer(svc, "Range");
  CHECK(s_range->type == "server_stream");
  CHECK(s_range->started == 2);
  CHECK(s_range->handled[kOk] == 1);
  CHECK(s_range->handled[kAborted] == 1);
  CHECK(s_range->msg_received == 2);
  CHECK(s_range->msg_sent == 8);
  const MethodMetricsSnapshot* c_sum = snap.FindClient(svc, "Sum");
  CHECK(c_sum->type == "client_stream");
  CHECK(c_sum->msg_sent == 4);
  CHECK(c_sum->msg_received == 1);
  const MethodMetricsSnapshot* s_sum = snap.FindServer(svc, "Sum");
  CHECK(s_sum->msg_received == 4);
  CHECK(s_sum->msg_sent == 1);
  CHECK(s_sum->handled[kOk] == 1);
  const MethodMetricsSnapshot* c_chat = snap.FindClient(svc, "Chat");
  CHECK(c_chat->type == "bidi_stream");
  CHECK(c_chat->msg_sent == 3);
  CHECK(c_chat->msg_received == 3);
  CHECK(c_chat->handled[kOk] == 1);
  const MethodMetricsSnapshot* s_chat = snap.FindServer(svc, "Chat");
  CHECK(s_chat->msg_sent == 3);
  CHECK(s_chat->msg_received == 3);
  // Every stream envelope the client published waited for a confirm, and was timed.
  CHECK(snap.publish_confirm_seconds.count >= 5);
  // Nobody serves it: the opening came back.
  REQUIRE(Eventually([&] { return ended(lost_metrics->Snapshot().FindClient(svc, "Range"), 1); }));
  MetricsSnapshot lost_snap = lost_metrics->Snapshot();
  const MethodMetricsSnapshot* lost = lost_snap.FindClient(svc, "Range");
  CHECK(lost->handled[kUnavailable] == 1);
  CHECK(lost->unroutable == 1);
  CHECK(lost->msg_sent == 1);
  CHECK(lost->msg_received == 0);

  std::string text = metrics->PrometheusText();
  INFO(text);
  CHECK(testing::PrometheusTextProblem(text).empty());
  CHECK(text.find("brokrpc_server_msg_sent_total{service=\"" + svc +
                  "\",method=\"Range\",type=\"server_stream\"} 8") != std::string::npos);
  rig.server->Shutdown(5s).IgnoreError();
}

// What a handler saw of its call.
struct Seen {
  std::mutex mu;
  std::optional<TraceContext> trace;
  std::optional<std::chrono::system_clock::time_point> deadline;
  void Record(const ServerContext& ctx) {
    std::lock_guard<std::mutex> lock(mu);
    trace = ctx.trace_context();
    deadline = ctx.deadline();
  }
};

TEST_CASE("observability contract: deadline and trace context reach the third hop",
          "[observability]") {
  EchoSpec spec_b(UniqueName("obs-b"), "hopb");
  EchoSpec spec_c(UniqueName("obs-c"), "hopc");
  auto server_broker = ConnectedBroker(ContractUrl());
  auto channel = CreateChannel(ConnectedBroker(ContractUrl()));
  Seen seen_b, seen_c;
  EchoService c(
      spec_c, [&](ServerContext* ctx, const testing::StringValue& req, testing::StringValue* resp) {
        seen_c.Record(*ctx);
        resp->set_value("c(" + req.value() + ")");
        return OkStatus();
      });
  EchoService b(
      spec_b, [&](ServerContext* ctx, const testing::StringValue& req, testing::StringValue* resp) {
        seen_b.Record(*ctx);
        auto nested = ClientContext::FromServerContext(*ctx);
        std::string reply;
        BROKRPC_RETURN_IF_ERROR(CallEcho(*channel, spec_c, nested.get(), req.value(), &reply));
        resp->set_value("b(" + reply + ")");
        return OkStatus();
      });
  Server server(server_broker);
  REQUIRE(server.RegisterService(&b).ok());
  REQUIRE(server.RegisterService(&c).ok());
  REQUIRE(server.Start().ok());

  ClientContext a;
  a.set_timeout(20s);
  std::string reply;
  Status s = CallEcho(*channel, spec_b, &a, "a", &reply);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(reply == "b(c(a))");
  REQUIRE(a.sent_trace_context().has_value());
  std::lock_guard<std::mutex> lb(seen_b.mu);
  std::lock_guard<std::mutex> lc(seen_c.mu);
  REQUIRE(seen_b.trace.has_value());
  REQUIRE(seen_c.trace.has_value());
  // One trace id across the three, a new span id per hop.
  CHECK(seen_b.trace->trace_id() == a.sent_trace_context()->trace_id());
  CHECK(seen_c.trace->trace_id() == a.sent_trace_context()->trace_id());
  CHECK(seen_b.trace->span_id() == a.sent_trace_context()->span_id());
  CHECK(seen_c.trace->span_id() != seen_b.trace->span_id());
  // A's deadline reaches C (the wire carries it in whole milliseconds).
  REQUIRE(seen_c.deadline.has_value());
  auto diff = *seen_c.deadline - *a.deadline();
  CHECK(std::chrono::abs(diff) < 2ms);
  CHECK(*seen_b.deadline == *seen_c.deadline);
  server.Shutdown(5s).IgnoreError();
}

// B of the cancellation test: a server stream that relays C's Hold stream through a context
// made with FromServerContext.
class Relay : public Service {
 public:
  Relay(const StreamSpec& spec, const StreamSpec& next, std::shared_ptr<Channel> channel)
      : Service(spec.spec()) {
    AddServerStreamingHandler<Int32Value, Int32Value>(
        StreamSpec::kHold, [this, &next, channel](ServerContext* ctx, const Int32Value* n,
                                                  ServerWriter<Int32Value>* writer) {
          seen.Record(*ctx);
          auto nested = ClientContext::FromServerContext(*ctx);
          auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
              channel.get(), next.spec(), StreamSpec::kHold, nested.get(), *n);
          Int32Value v;
          while (reader->Read(&v)) writer->Write(v);
          return reader->Finish();
        });
  }
  Seen seen;  // B's incoming call
};

TEST_CASE("observability contract: the caller's cancellation reaches the third hop's handler",
          "[observability]") {
  StreamSpec spec_b(UniqueName("obs-relay"));
  StreamSpec spec_c(UniqueName("obs-hold"));
  auto channel = CreateChannel(ConnectedBroker(ContractUrl()));
  StreamService c(spec_c);
  Relay b(spec_b, spec_c, channel);
  auto server_broker = ConnectedBroker(ContractUrl());
  Server server(server_broker);
  REQUIRE(server.RegisterService(&b).ok());
  REQUIRE(server.RegisterService(&c).ok());
  REQUIRE(server.Start().ok());

  ClientContext a;
  a.set_timeout(60s);
  Int32Value req;
  req.set_value(7);
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(channel.get(), spec_b.spec(),
                                                                      StreamSpec::kHold, &a, req);
  Int32Value v;
  REQUIRE(reader->Read(&v));  // C holds, B relays
  CHECK(v.value() == 7);
  CHECK(c.hold_saw_cancel.load() == 0);
  {
    // The stream's opening message carried A's trace context.
    std::lock_guard<std::mutex> lock(b.seen.mu);
    REQUIRE(b.seen.trace.has_value());
    REQUIRE(a.sent_trace_context().has_value());
    CHECK(b.seen.trace->trace_id() == a.sent_trace_context()->trace_id());
    CHECK(b.seen.trace->span_id() == a.sent_trace_context()->span_id());
  }
  a.TryCancel();
  CHECK(reader->Finish().code() == StatusCode::kCancelled);
  // C's handler sees IsCancelled() long before its 60 s deadline.
  REQUIRE(Eventually([&] { return c.hold_saw_cancel.load() == 1; }, 30s));
  server.Shutdown(5s).IgnoreError();
}

}  // namespace
}  // namespace brokrpc
