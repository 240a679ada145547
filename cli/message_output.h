// How `consume` prints a received message: -o body, wide or json.
#ifndef BROKRPC_CLI_MESSAGE_OUTPUT_H_
#define BROKRPC_CLI_MESSAGE_OUTPUT_H_

#include <string>

#include "body_format.h"
#include "brokrpc/message.h"
#include "brokrpc/status_or.h"

namespace brokrpc::cli {

// -o: how consume prints each message (see FormatMessage).
enum class OutputMode { kBody, kWide, kJson };

// Parses "body", "wide" or "json".
StatusOr<OutputMode> ParseOutputMode(const std::string& text);

// The text printed for one message (ends with a newline):
//   body: the decoded body and a newline;
//   wide: delivery info, every set property and the headers, one "name: value" line each,
//         then "body: <decoded body as JSON>" (raw bodies as a JSON string) and an empty line;
//   json: one JSON object on one line: exchange, routing_key, redelivered, properties,
//         headers and body (the decoded body as a JSON value).
std::string FormatMessage(OutputMode mode, const Message& message, const DecodedBody& body);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_MESSAGE_OUTPUT_H_
