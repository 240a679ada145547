// `brokrpc list`, `brokrpc describe` and `brokrpc call`: grpcurl-style work from a schema.
#ifndef BROKRPC_CLI_SCHEMA_COMMANDS_H_
#define BROKRPC_CLI_SCHEMA_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "schema.h"

namespace brokrpc::cli {

// list's and describe's settings. Value type; thread-compatible.
struct DescribeArgs {
  SchemaSources schema;
  // Overrides the exchange name of every service (as `call -e` would).
  std::optional<std::string> exchange;
  // describe: a service, method (pkg.Service/Method or pkg.Service.Method) or message name.
  std::string name;
  // Without a schema: the broker whose servers on `exchange` are asked (reflection).
  std::string url;
};

// call's settings. Value type; thread-compatible.
struct CallArgs {
  std::string url;
  // pkg.Service/Method (or pkg.Service.Method).
  std::string method;
  // -d: JSON, @FILE or @- (standard input). Unset: {} for one request; standard input, one JSON
  // object per line, for client streaming and bidirectional methods.
  std::optional<std::string> data;
  std::optional<std::string> exchange;
  double timeout_seconds = 30;
  // Wait (until the deadline) while the broker is down or no server consumes the method,
  // instead of failing at once with UNAVAILABLE.
  bool wait_for_ready = false;
  // -H key:value, repeatable.
  std::vector<std::string> metadata;
  // --wire: protobuf or json (unary and fire-and-forget).
  std::string wire = "protobuf";
  SchemaSources schema;
};

// Prints each service with its methods, call kind, routing key, queue and exchange: from the
// schema, or (without one) from what the servers on the exchange report (reflection). Returns
// the exit status.
int RunList(const DescribeArgs& args);
// Prints a service, method or message of the schema, or (without one) of what the servers on
// the exchange report. Returns the exit status.
int RunDescribe(const DescribeArgs& args);
// Calls one method and prints the response(s) as proto3 JSON, one per line; without a schema
// the servers on the -e exchange are asked for it (reflection). Returns the exit status: 0 on
// OK, else 64 + the status code (the status is printed to stderr).
int RunCall(const CallArgs& args);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_SCHEMA_COMMANDS_H_
