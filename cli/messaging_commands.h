// `brokrpc consume` and `brokrpc publish`: Python BrokRPC's CLI consumer and publisher.
#ifndef BROKRPC_CLI_MESSAGING_COMMANDS_H_
#define BROKRPC_CLI_MESSAGING_COMMANDS_H_

#include <cstdint>
#include <string>

#include "schema.h"

namespace brokrpc::cli {

// What consume and publish share. Value type; thread-compatible.
struct MessagingArgs {
  std::string url;
  std::string routing_key;
  std::string exchange;
  // -s: raw, json or protobuf:FULL.TYPE.NAME.
  std::string serializer = "raw";
  // For -s protobuf:TYPE.
  SchemaSources schema;
};

// consume's own settings. Value type; thread-compatible.
struct ConsumeArgs {
  MessagingArgs common;
  // How the exchange is declared (it must match an existing exchange's flags).
  std::string exchange_type = "direct";
  bool exchange_durable = false;
  bool exchange_auto_delete = false;
  // -o: body, wide or json.
  std::string output = "body";
  // Stop after this many messages (0: until SIGINT / SIGTERM).
  uint64_t count = 0;
};

// publish's own settings. Value type; thread-compatible.
struct PublishArgs {
  MessagingArgs common;
  bool quiet = false;
};

// Binds a fresh exclusive, auto-delete queue brokrpc.<hex> (prefetch 1) to the exchange with
// the routing key as binding key and prints each message until SIGINT / SIGTERM or --count.
// Returns the exit status. Call from main() before any thread starts (it blocks the stop
// signals).
int RunConsume(const ConsumeArgs& args);

// Publishes each line of standard input as one message (mandatory, with confirms), printing
// "sent" per message to stderr unless quiet; stops with a non-zero exit status at the first
// message that is returned, nacked or cannot be encoded. Returns the exit status.
int RunPublish(const PublishArgs& args);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_MESSAGING_COMMANDS_H_
