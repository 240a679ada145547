#include "observability/prometheus_text.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <limits>
#include <vector>

namespace brokrpc::internal {
namespace {

// A number as Prometheus reads it (shortest round-trip form; +Inf spelled out).
std::string Number(double v) {
  if (v == std::numeric_limits<double>::infinity()) return "+Inf";
  return fmt::format("{}", v);
}

std::string Labels(const MethodMetricsSnapshot& m) {
  return fmt::format("service=\"{}\",method=\"{}\",type=\"{}\"", EscapeLabelValue(m.service),
                     EscapeLabelValue(m.method), EscapeLabelValue(m.type));
}

void Header(std::ostream& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
}

void HistogramLines(std::ostream& out, std::string_view name, const std::string& labels,
                    const HistogramSnapshot& h) {
  const std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    out << name << "_bucket{" << labels << sep << "le=\"" << Number(h.bounds[i]) << "\"} "
        << h.bucket_counts[i] << '\n';
  }
  out << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << '\n';
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out << name << "_sum" << braces << ' ' << Number(h.sum_seconds) << '\n';
  out << name << "_count" << braces << ' ' << h.count << '\n';
}

using Counter = std::function<uint64_t(const MethodMetricsSnapshot&)>;

void CounterFamily(std::ostream& out, const std::vector<MethodMetricsSnapshot>& methods,
                   std::string_view name, std::string_view help, const Counter& value) {
  Header(out, name, "counter", help);
  for (const auto& m : methods) out << name << '{' << Labels(m) << "} " << value(m) << '\n';
}

void SideFamilies(std::ostream& out, const std::vector<MethodMetricsSnapshot>& methods,
                  std::string_view side) {
  const std::string p = fmt::format("brokrpc_{}_", side);
  const std::string rpcs =
      side == "server" ? "RPCs started on the server" : "RPCs started by the client";
  CounterFamily(out, methods, p + "started_total", "Total number of " + rpcs + ".",
                [](const auto& m) { return m.started; });
  Header(out, p + "handled_total", "counter",
         fmt::format("Total number of RPCs completed on the {}, regardless of success or failure.",
                     side));
  for (const auto& m : methods) {
    for (size_t code = 0; code < m.handled.size(); ++code) {
      if (m.handled[code] == 0) continue;
      out << p << "handled_total{" << Labels(m) << ",code=\"" << GrpcCodeLabel(code) << "\"} "
          << m.handled[code] << '\n';
    }
  }
  Header(out, p + "handling_seconds", "histogram",
         fmt::format("Histogram of response latency (seconds) of RPCs on the {}.", side));
  for (const auto& m : methods) {
    HistogramLines(out, p + "handling_seconds", Labels(m), m.handling_seconds);
  }
  CounterFamily(out, methods, p + "msg_received_total",
                fmt::format("Total number of messages received by the {}.", side),
                [](const auto& m) { return m.msg_received; });
  CounterFamily(out, methods, p + "msg_sent_total",
                fmt::format("Total number of messages sent by the {}.", side),
                [](const auto& m) { return m.msg_sent; });
}

}  // namespace

std::string_view GrpcCodeLabel(size_t code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  return code < kNames.size() ? kNames[code] : "Unknown";
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void WritePrometheusText(const MetricsSnapshot& s, std::ostream& out) {
  SideFamilies(out, s.server, "server");
  CounterFamily(out, s.server, "brokrpc_consumer_redelivered_total",
                "Total number of requests the broker delivered again (redelivered flag).",
                [](const auto& m) { return m.redelivered; });
  SideFamilies(out, s.client, "client");
  CounterFamily(out, s.client, "brokrpc_client_unroutable_total",
                "Total number of requests the broker returned unroutable (no server consumes).",
                [](const auto& m) { return m.unroutable; });
  Header(out, "brokrpc_connection_reconnects_total", "counter",
         "Total number of times a watched connection came back after an outage.");
  out << "brokrpc_connection_reconnects_total " << s.connection_reconnects << '\n';
  Header(out, "brokrpc_publish_confirm_seconds", "histogram",
         "Histogram of publish to broker confirm latency (seconds) on the watched connections.");
  HistogramLines(out, "brokrpc_publish_confirm_seconds", "", s.publish_confirm_seconds);
}

}  // namespace brokrpc::internal
