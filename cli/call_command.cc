#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "brokrpc/channel.h"
#include "brokrpc/impl/call_paths.h"
#include "brokrpc/serializer.h"
#include "brokrpc/stream.h"
#include "call_input.h"
#include "connect.h"
#include "exit_code.h"
#include "method_lookup.h"
#include "proto_json.h"
#include "reflection_client.h"
#include "schema_commands.h"
#include "service_spec.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;

namespace {

// Everything a call needs once the command line has been checked.
struct Call {
  std::unique_ptr<Schema> schema;
  const pb::MethodDescriptor* method = nullptr;
  std::unique_ptr<ResolvedService> service;
  size_t index = 0;
  bool json_wire = false;
};

// Yields the request lines of a streaming call, one at a time (false at the end).
using LineSource = std::function<bool(std::string*)>;

Status AddMetadata(const std::vector<std::string>& entries, ClientContext* context) {
  for (const auto& entry : entries) {
    size_t colon = entry.find(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgumentError(fmt::format("-H '{}': expected key:value", entry));
    }
    std::string value = entry.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    context->AddMetadata(entry.substr(0, colon), value);
  }
  return OkStatus();
}

void PrintLine(const std::string& json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

Status PrintMessage(const pb::Message& message) {
  std::string json;
  BROKRPC_RETURN_IF_ERROR(PrintProtoJson(message, &json));
  PrintLine(json);
  return OkStatus();
}

StatusOr<std::unique_ptr<pb::Message>> ParseRequest(Call& call, const std::string& json) {
  auto request = call.schema->NewMessage(call.method->input_type());
  BROKRPC_RETURN_IF_ERROR(ParseProtoJson(json, request.get()));
  return request;
}

Status EncodeRequest(const Call& call, const pb::Message& request, Message* out) {
  return call.json_wire ? JsonSerializer::Encode(request, out)
                        : ProtobufSerializer::Encode(request, out);
}

Status CallUnary(Call& call, Channel& channel, ClientContext& context, const std::string& text) {
  auto request = ParseRequest(call, text);
  if (!request.ok()) return request.status();
  Message out;
  BROKRPC_RETURN_IF_ERROR(EncodeRequest(call, **request, &out));
  if (call.service->spec().methods[call.index].kind == MethodKind::kFireAndForget) {
    BROKRPC_RETURN_IF_ERROR(brokrpc::internal::Publish(channel, call.service->spec(), call.index,
                                                       &context, std::move(out)));
    std::fputs("brokrpc: published; the broker confirmed it\n", stderr);
    return OkStatus();
  }
  Message reply;
  BROKRPC_RETURN_IF_ERROR(brokrpc::internal::CallUnary(channel, call.service->spec(), call.index,
                                                       &context, std::move(out), &reply));
  auto response = call.schema->NewMessage(call.method->output_type());
  const bool json =
      reply.properties.content_type && *reply.properties.content_type == kJsonContentType;
  BROKRPC_RETURN_IF_ERROR(json ? JsonSerializer::Decode(reply, response.get())
                               : ProtobufSerializer::Decode(reply, response.get()));
  return PrintMessage(*response);
}

Status CallServerStreaming(Call& call, Channel& channel, ClientContext& context,
                           const std::string& text) {
  auto request = ParseRequest(call, text);
  if (!request.ok()) return request.status();
  ClientReader<pb::Message> reader(brokrpc::internal::OpenStream(
      channel, call.service->spec(), call.index, &context, request->get(), true));
  auto response = call.schema->NewMessage(call.method->output_type());
  while (reader.Read(response.get())) {
    BROKRPC_RETURN_IF_ERROR(PrintMessage(*response));
    response->Clear();
  }
  return reader.Finish();
}

Status CallClientStreaming(Call& call, Channel& channel, ClientContext& context,
                           const LineSource& lines) {
  auto response = call.schema->NewMessage(call.method->output_type());
  ClientWriter<pb::Message, pb::Message> writer(
      brokrpc::internal::OpenStream(channel, call.service->spec(), call.index, &context, nullptr,
                                    false),
      response.get());
  std::string line;
  while (lines(&line)) {
    auto request = ParseRequest(call, line);
    if (!request.ok()) {
      context.TryCancel();
      return request.status();
    }
    if (!writer.Write(**request)) break;  // the stream ended: Finish() says why
  }
  BROKRPC_RETURN_IF_ERROR(writer.Finish());
  return PrintMessage(*response);
}

Status CallBidiStreaming(Call& call, Channel& channel, ClientContext& context,
                         const LineSource& lines) {
  ClientReaderWriter<pb::Message, pb::Message> stream(brokrpc::internal::OpenStream(
      channel, call.service->spec(), call.index, &context, nullptr, false));
  Status printed;
  std::thread reader([&] {
    auto response = call.schema->NewMessage(call.method->output_type());
    while (stream.Read(response.get())) {
      if (printed.ok()) printed = PrintMessage(*response);
      response->Clear();
    }
  });
  Status input;
  std::string line;
  while (lines(&line)) {
    auto request = ParseRequest(call, line);
    if (!request.ok()) {
      input = request.status();
      context.TryCancel();
      break;
    }
    if (!stream.Write(**request)) break;
  }
  stream.WritesDone();
  reader.join();
  Status finished = stream.Finish();
  if (!input.ok()) return input;
  if (!printed.ok()) return printed;
  return finished;
}

// The request lines of a streaming call: -d's text split into lines, or standard input read
// line by line (so that a bidirectional call can be driven interactively).
StatusOr<LineSource> StreamLines(const std::optional<std::string>& data) {
  if (!data || *data == "@-") {
    return LineSource([](std::string* line) {
      while (std::getline(std::cin, *line)) {
        if (line->find_first_not_of(" \t\r") != std::string::npos) return true;
      }
      return false;
    });
  }
  auto text = ReadRequestText(data, "");
  if (!text.ok()) return text.status();
  auto all = std::make_shared<std::vector<std::string>>(NonBlankLines(*text));
  auto next = std::make_shared<size_t>(0);
  return LineSource([all, next](std::string* line) {
    if (*next >= all->size()) return false;
    *line = (*all)[(*next)++];
    return true;
  });
}

Status RunCallStatus(const CallArgs& args) {
  if (args.wire != "protobuf" && args.wire != "json") {
    return InvalidArgumentError(fmt::format("--wire {}: expected protobuf or json", args.wire));
  }
  if (args.timeout_seconds <= 0) return InvalidArgumentError("--timeout must be positive");
  Call call;
  call.json_wire = args.wire == "json";
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(args.timeout_seconds));
  std::shared_ptr<Broker> broker;
  if (args.schema.empty()) {
    // No schema given: the servers on the exchange describe their services (reflection).
    auto connected = ConnectBroker(args.url);
    if (!connected.ok()) return connected.status();
    broker = *connected;
    auto reflected = ReflectServers(*broker, args.exchange.value_or(""), timeout);
    if (!reflected.ok()) return reflected.status();
    call.schema = std::move(reflected->schema);
  } else {
    auto schema = Schema::Load(args.schema);
    if (!schema.ok()) return schema.status();
    call.schema = std::move(*schema);
  }
  auto method = FindMethod(*call.schema, args.method);
  if (!method.ok()) return method.status();
  call.method = *method;
  call.service = std::make_unique<ResolvedService>(call.method->service(), args.exchange);
  call.index = static_cast<size_t>(call.method->index());
  const MethodKind kind = call.service->spec().methods[call.index].kind;
  if (Resolve(call.service->spec().exchange).name.empty()) {
    return FailedPreconditionError(fmt::format(
        "service {} has no exchange: its .proto sets no (brokrpc.spec.v1.exchange) name; give "
        "one with -e EXCHANGE",
        call.service->spec().full_name));
  }
  const bool streaming_input =
      kind == MethodKind::kClientStreaming || kind == MethodKind::kBidiStreaming;
  if (call.json_wire && kind != MethodKind::kUnary && kind != MethodKind::kFireAndForget) {
    return InvalidArgumentError(
        "--wire json applies to unary and fire-and-forget methods; streams carry protobuf");
  }

  ClientContext context;
  context.set_timeout(timeout);
  context.set_wait_for_ready(args.wait_for_ready);
  BROKRPC_RETURN_IF_ERROR(AddMetadata(args.metadata, &context));

  // Read and check the request before connecting (a typo fails fast, with nothing sent).
  std::string text;
  LineSource lines;
  if (streaming_input) {
    auto source = StreamLines(args.data);
    if (!source.ok()) return source.status();
    lines = std::move(*source);
  } else {
    auto read = ReadRequestText(args.data, "{}");
    if (!read.ok()) return read.status();
    text = std::move(*read);
    auto request = ParseRequest(call, text);
    if (!request.ok()) return request.status();
  }

  if (!broker) {
    auto connected = ConnectBroker(args.url);
    if (!connected.ok()) return connected.status();
    broker = *connected;
  }
  Status result;
  {
    auto channel = CreateChannel(broker, {.default_timeout = timeout});
    switch (kind) {
      case MethodKind::kUnary:
      case MethodKind::kFireAndForget:
        result = CallUnary(call, *channel, context, text);
        break;
      case MethodKind::kServerStreaming:
        result = CallServerStreaming(call, *channel, context, text);
        break;
      case MethodKind::kClientStreaming:
        result = CallClientStreaming(call, *channel, context, lines);
        break;
      case MethodKind::kBidiStreaming:
        result = CallBidiStreaming(call, *channel, context, lines);
        break;
    }
  }
  broker->Close();
  return result;
}

}  // namespace

int RunCall(const CallArgs& args) { return ReportFailure(RunCallStatus(args)); }

}  // namespace brokrpc::cli
