// The Prometheus text exposition format (0.0.4) of a MetricsSnapshot.
#ifndef BROKRPC_SRC_OBSERVABILITY_PROMETHEUS_TEXT_H_
#define BROKRPC_SRC_OBSERVABILITY_PROMETHEUS_TEXT_H_

#include <ostream>
#include <string>
#include <string_view>

#include "brokrpc/metrics.h"

namespace brokrpc::internal {

// Writes every family of `snapshot` with HELP and TYPE lines; label values escaped. Pure.
void WritePrometheusText(const MetricsSnapshot& snapshot, std::ostream& out);

// `code` as go-grpc-prometheus labels it ("OK", "DeadlineExceeded", ...).
std::string_view GrpcCodeLabel(size_t code);

// A label value with \ " and newline escaped.
std::string EscapeLabelValue(std::string_view value);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_OBSERVABILITY_PROMETHEUS_TEXT_H_
