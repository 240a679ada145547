#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "body_format.h"
#include "brokrpc/broker.h"
#include "connect.h"
#include "exit_code.h"
#include "messaging_commands.h"

namespace brokrpc::cli {

int RunPublish(const PublishArgs& args) {
  auto schema = Schema::Load(args.common.schema);
  if (!schema.ok()) return ReportFailure(schema.status());
  auto format = ParseBodyFormat(args.common.serializer, **schema);
  if (!format.ok()) return ReportFailure(format.status());

  auto broker = ConnectBroker(args.common.url);
  if (!broker.ok()) return ReportFailure(broker.status());
  auto publisher = (*broker)->CreatePublisher({.exchange = {.name = args.common.exchange},
                                               .mandatory = true,
                                               .confirms = true,
                                               .declare_exchange = false});
  if (!publisher.ok()) return ReportFailure(publisher.status());

  const bool raw = format->kind == BodyFormat::Kind::kRaw;
  std::string line;
  uint64_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    // BrokRPC keeps the newline of raw lines; a last line without one is sent as it is.
    if (raw && !std::cin.eof()) line += '\n';
    // Empty lines are not JSON: skipped for json and protobuf.
    if (!raw && line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Message message{.routing_key = args.common.routing_key};
    if (Status s = EncodeBody(*format, **schema, line, &message); !s.ok()) {
      return ReportFailure(s.WithContext(fmt::format("line {}", number)));
    }
    message.properties.message_id = RandomHex();
    message.properties.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
    Status sent = (*publisher)->Publish(std::move(message));
    if (!sent.ok()) {
      (*broker)->Close();
      return ReportFailure(
          sent.WithContext(fmt::format("line {} not delivered to exchange '{}' with key '{}'",
                                       number, args.common.exchange, args.common.routing_key)));
    }
    if (!args.quiet) {
      std::fputs("sent\n", stderr);
      std::fflush(stderr);
    }
  }
  (*broker)->Close();
  return 0;
}

}  // namespace brokrpc::cli
