#include <fmt/format.h>

#include <cstdio>
#include <mutex>

#include "body_format.h"
#include "brokrpc/broker.h"
#include "connect.h"
#include "exit_code.h"
#include "message_output.h"
#include "messaging_commands.h"
#include "signals.h"

namespace brokrpc::cli {

int RunConsume(const ConsumeArgs& args) {
  BlockStopSignals();
  auto schema = Schema::Load(args.common.schema);
  if (!schema.ok()) return ReportFailure(schema.status());
  auto format = ParseBodyFormat(args.common.serializer, **schema);
  if (!format.ok()) return ReportFailure(format.status());
  auto output = ParseOutputMode(args.output);
  if (!output.ok()) return ReportFailure(output.status());
  auto type = ParseExchangeType(args.exchange_type);
  if (!type.ok()) return ReportFailure(type.status());
  if (args.common.exchange.empty()) {
    return ReportFailure(InvalidArgumentError(
        "consume needs an exchange (-e EXCHANGE): RabbitMQ's default exchange cannot be bound"));
  }

  auto broker = ConnectBroker(args.common.url);
  if (!broker.ok()) return ReportFailure(broker.status());

  BindingOptions binding{
      .exchange = {.name = args.common.exchange,
                   .type = *type,
                   .durable = args.exchange_durable,
                   .auto_delete = args.exchange_auto_delete},
      .binding_keys = {args.common.routing_key},
      .queue = {.name = "brokrpc." + RandomHex(),
                .durable = false,
                .exclusive = true,
                .auto_delete = true,
                .prefetch_count = 1},
  };
  std::mutex mu;
  uint64_t seen = 0;
  auto handler = [&](Message& message) -> ConsumeResult {
    std::lock_guard<std::mutex> lock(mu);
    if (args.count > 0 && seen >= args.count) return ConsumeResult::Reject();
    ++seen;
    auto body = DecodeBody(*format, **schema, message);
    ConsumeResult result = ConsumeResult::Ack();
    if (body.ok()) {
      std::string text = FormatMessage(*output, message, *body);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    } else {
      std::fprintf(stderr, "brokrpc: message %llu (routing key %s) rejected: %s\n",
                   static_cast<unsigned long long>(seen), message.routing_key.c_str(),
                   body.status().ToString().c_str());
      std::fflush(stderr);
      result = ConsumeResult::Reject(body.status());
    }
    if (args.count > 0 && seen == args.count) RequestStop();
    return result;
  };
  auto consumer = (*broker)->Consume(std::move(binding), handler);
  if (!consumer.ok()) {
    return ReportFailure(consumer.status().WithContext(
        fmt::format("cannot consume from exchange '{}'", args.common.exchange)));
  }
  std::fprintf(stderr, "brokrpc: consuming %s from exchange '%s' with key '%s' (queue %s)\n",
               (*broker)->redacted_url().c_str(), args.common.exchange.c_str(),
               args.common.routing_key.c_str(), (*consumer)->queue_name().c_str());
  std::fflush(stderr);

  WaitForStop();
  (*consumer)->Cancel(std::chrono::seconds(5)).IgnoreError();
  (*broker)->Close();
  return 0;
}

}  // namespace brokrpc::cli
