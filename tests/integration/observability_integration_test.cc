// Observability on the real broker only: reconnects counted after RabbitMQ drops a connection.
#include <catch2/catch.hpp>

#include "brokrpc/broker.h"
#include "brokrpc/metrics.h"
#include "support/prometheus_lines.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;

TEST_CASE("observability: a dropped connection counts one reconnect", "[observability]") {
  Metrics metrics;
  std::string name = testing::UniqueName("obs-reconnect");
  auto broker =
      testing::ConnectedBroker(testing::RabbitUrl() + "?name=" + name + "&reconnect_initial_ms=50");
  metrics.WatchConnection(*broker);
  CHECK(metrics.Snapshot().connection_reconnects == 0);
  testing::RabbitCtl("close_connection '" + testing::ConnectionPid(name) + "' 'obs'");
  REQUIRE(testing::Eventually([&] { return metrics.Snapshot().connection_reconnects == 1; }, 30s));
  std::string text = metrics.PrometheusText();
  INFO(text);
  CHECK(testing::PrometheusTextProblem(text).empty());
  CHECK(text.find("\nbrokrpc_connection_reconnects_total 1\n") != std::string::npos);
}

}  // namespace
}  // namespace brokrpc
