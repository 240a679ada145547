// Observability without a broker: trace context, metrics registry and exposition, propagation.
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>

#include "brokrpc/client_context.h"
#include "brokrpc/metrics.h"
#include "brokrpc/server_context.h"
#include "observability/metrics_registry.h"
#include "observability/prometheus_text.h"
#include "rpc/context_access.h"
#include "support/prometheus_lines.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using internal::MetricsRegistry;

TEST_CASE("trace context: parse, format and a child keeps the trace id", "[observability]") {
  const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto t = TraceContext::Parse(tp, "congo=t61rcWkgMzE");
  REQUIRE(t.has_value());
  CHECK(t->trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(t->span_id() == "00f067aa0ba902b7");
  CHECK(t->sampled());
  CHECK(t->ToTraceparent() == tp);
  TraceContext child = t->NewChild();
  CHECK(child.trace_id() == t->trace_id());
  CHECK(child.span_id() != t->span_id());
  CHECK(child.tracestate() == "congo=t61rcWkgMzE");
  CHECK(std::regex_match(TraceContext::NewRoot().ToTraceparent(),
                         std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01")));
}

TEST_CASE("trace context: malformed traceparents are refused", "[observability]") {
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"}) {
    INFO(bad);
    CHECK_FALSE(TraceContext::Parse(bad).has_value());
  }
  // A later version may append fields.
  CHECK(TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later"));
}

TEST_CASE("metrics registry: routing keys split into service and method", "[observability]") {
  CHECK(internal::SplitRoutingKey("/acme.shop.v1/Shop/GetItem") ==
        std::pair<std::string, std::string>("acme.shop.v1.Shop", "GetItem"));
  CHECK(internal::SplitRoutingKey("plain") == std::pair<std::string, std::string>("", "plain"));
}

TEST_CASE("metrics registry: counters and cumulative histogram buckets", "[observability]") {
  MetricsRegistry registry({0.001, 0.01, 0.1});
  auto& s = registry.Series(MetricsRegistry::Side::kServer, "/p/S/M", "unary");
  CHECK(&s == &registry.Series(MetricsRegistry::Side::kServer, "/p/S/M", "unary"));
  s.started += 4;
  s.Handled(StatusCode::kOk);
  s.Handled(StatusCode::kOk);
  s.Handled(StatusCode::kNotFound);
  s.Handled(static_cast<StatusCode>(99));  // out of range: UNKNOWN
  s.handling.Observe(500us);
  s.handling.Observe(1ms);  // on the bound: in its bucket
  s.handling.Observe(50ms);
  s.handling.Observe(2s);
  MetricsSnapshot snap = registry.Read();
  const MethodMetricsSnapshot* m = snap.FindServer("p.S", "M");
  REQUIRE(m != nullptr);
  CHECK(snap.FindClient("p.S", "M") == nullptr);
  CHECK(m->started == 4);
  CHECK(m->handled[0] == 2);
  CHECK(m->handled[5] == 1);
  CHECK(m->handled[2] == 1);
  CHECK(m->handled_total() == 4);
  CHECK(m->handling_seconds.bucket_counts == std::vector<uint64_t>{2, 2, 3});
  CHECK(m->handling_seconds.count == 4);
  CHECK(m->handling_seconds.sum_seconds == Approx(2.0515));
}

TEST_CASE("metrics exposition: every line parses and the families are there", "[observability]") {
  Metrics metrics;
  auto interceptor = metrics.server_interceptor();
  Message request;
  request.routing_key = "/p/S/Say\"hi\"";
  request.properties.reply_to = "r";
  request.delivery = DeliveryInfo{.routing_key = request.routing_key, .redelivered = true};
  auto ok = [](Message&) { return ConsumeResult::Ack(); };
  auto failed = [](Message&) { return ConsumeResult::Failed(NotFoundError("no")); };
  interceptor->Handle(request, ok);
  interceptor->Handle(request, failed);
  std::string text = metrics.PrometheusText();
  INFO(text);
  CHECK(testing::PrometheusTextProblem(text).empty());
  CHECK(testing::PrometheusTextProblem("brokrpc_x 1\n") != "");  // a sample before its TYPE
  const std::string labels = R"({service="p.S",method="Say\"hi\"",type="unary")";
  CHECK(text.find("brokrpc_server_started_total" + labels + "} 2\n") != std::string::npos);
  CHECK(text.find("brokrpc_server_handled_total" + labels + ",code=\"OK\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("brokrpc_server_handled_total" + labels + ",code=\"NotFound\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("brokrpc_server_handling_seconds_bucket" + labels + ",le=\"+Inf\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("brokrpc_server_msg_sent_total" + labels + "} 1\n") != std::string::npos);
  CHECK(text.find("brokrpc_consumer_redelivered_total" + labels + "} 2\n") != std::string::npos);
  for (const char* family :
       {"brokrpc_client_started_total", "brokrpc_client_unroutable_total",
        "brokrpc_connection_reconnects_total", "brokrpc_publish_confirm_seconds"}) {
    CHECK(text.find(std::string("# TYPE ") + family) != std::string::npos);
  }
}

TEST_CASE("propagation: a nested context inherits deadline, trace and cancellation",
          "[observability]") {
  Message request;
  const auto deadline = std::chrono::system_clock::now() + 30s;
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline.time_since_epoch()).count();
  request.properties.headers.Set("x-brokrpc-deadline", FieldValue(ms));
  request.properties.headers.Set("traceparent",
                                 "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ServerContext server(request);
  REQUIRE(server.trace_context().has_value());
  auto nested = ClientContext::FromServerContext(server);
  REQUIRE(nested->deadline().has_value());
  CHECK(*nested->deadline() == *server.deadline());
  REQUIRE(nested->trace_context().has_value());
  CHECK(nested->trace_context()->trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736");
  auto untouched = ClientContext::FromServerContext(
      server, PropagationOptions{.deadline = false, .cancellation = false, .trace_context = false});
  CHECK_FALSE(untouched->deadline().has_value());
  CHECK_FALSE(untouched->trace_context().has_value());

  int hook_ran = 0;
  brokrpc::internal::ClientContextAccess::SetCancelHook(*nested, [&] { ++hook_ran; });
  CHECK_FALSE(nested->IsCancelled());
  brokrpc::internal::ServerContextAccess::Cancel(server);
  CHECK(nested->IsCancelled());
  CHECK(hook_ran == 1);
  CHECK_FALSE(untouched->IsCancelled());
  // Made after the cancellation: cancelled at once.
  CHECK(ClientContext::FromServerContext(server)->IsCancelled());
}

TEST_CASE("propagation: a nested context may outlive its server context", "[observability]") {
  Message request;
  std::unique_ptr<ClientContext> nested;
  {
    ServerContext server(request);
    nested = ClientContext::FromServerContext(server);
  }
  CHECK_FALSE(nested->IsCancelled());
  nested.reset();  // unregisters from the link the server context left behind
}

}  // namespace
}  // namespace brokrpc
