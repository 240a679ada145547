// Asking the servers on an exchange for their schemas (brokrpc.reflection.v1), so that list and
// call work without .proto files.
#ifndef BROKRPC_CLI_REFLECTION_CLIENT_H_
#define BROKRPC_CLI_REFLECTION_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/status_or.h"
#include "schema.h"

namespace brokrpc::cli {

// What the servers on an exchange answered. Move-only value; thread-compatible.
struct Reflected {
  std::unique_ptr<Schema> schema;
  // The services they serve there (full names, each once, in the order they came).
  std::vector<std::string> services;
  // How many servers answered.
  int servers = 0;
};

// Publishes one ListServices request to `exchange` (every server with reflection on has its
// own queue there and answers), waits up to `timeout` for the first answer and `grace` more for
// the others, and builds a schema from the file descriptors they sent. UNAVAILABLE when no
// server on the exchange serves reflection (the request came back unroutable), NOT_FOUND when
// the exchange does not exist, DEADLINE_EXCEEDED when nobody answered in time. Blocking; call
// from one thread.
StatusOr<Reflected> ReflectServers(
    Broker& broker, const std::string& exchange, std::chrono::milliseconds timeout,
    std::chrono::milliseconds grace = std::chrono::milliseconds(300));

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_REFLECTION_CLIENT_H_
