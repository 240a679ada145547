// brokrpc: the command-line tool — consume and publish messages (BrokRPC's CLI), list, describe
// and call RPC methods from a schema (grpcurl's job), on RabbitMQ.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "exit_code.h"
#include "messaging_commands.h"
#include "schema_commands.h"

namespace {

using brokrpc::cli::CallArgs;
using brokrpc::cli::ConsumeArgs;
using brokrpc::cli::DescribeArgs;
using brokrpc::cli::PublishArgs;
using brokrpc::cli::SchemaSources;

constexpr const char* kUrlHelp =
    "amqp://user:password@host:port/vhost (or amqps://...); the password is never printed";
constexpr const char* kSerializerHelp =
    "raw (the body as is, default), json (a JSON value, application/json) or "
    "protobuf:FULL.TYPE.NAME (proto3 JSON on the terminal, binary protobuf on the wire; the "
    "type comes from --proto / --descriptor-set, or is compiled in, e.g. "
    "brokrpc.spec.v1.Error)";
constexpr const char* kPublishFooter =
    "Each line of standard input is one message. With -s raw the line's newline is kept in "
    "the body (as BrokRPC's CLI does; a last line without one is sent without). With -s json "
    "and -s protobuf:TYPE each non-empty line is one JSON value (blank lines are skipped). "
    "Messages are published mandatory with publisher confirms; the first one that is returned "
    "(no queue bound) or nacked ends the command with a non-zero exit status.";
constexpr const char* kExitFooter =
    "Exit status: 0 on success, 2 for a bad command line, 64 + the google.rpc.Code otherwise "
    "(e.g. 67 INVALID_ARGUMENT, 69 NOT_FOUND, 68 DEADLINE_EXCEEDED, 78 UNAVAILABLE).";

// An option that takes one value per occurrence and may be repeated.
template <typename T>
CLI::Option* Repeatable(CLI::App* app, const std::string& names, T& into, const std::string& help) {
  return app->add_option(names, into, help)
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void AddSchemaOptions(CLI::App* app, SchemaSources& schema) {
  Repeatable(app, "--proto", schema.proto_files,
             "a .proto file (repeatable); brokrpc's option protos and Google's well-known types "
             "are found without -I");
  Repeatable(app, "-I,--import-path", schema.import_paths,
             "a directory .proto files and imports are found in (repeatable; default: the "
             "directory of each --proto file, then .)");
  Repeatable(app, "--descriptor-set", schema.descriptor_sets,
             "a FileDescriptorSet (protoc --descriptor_set_out=FILE --include_imports)");
}

// "scheme://user:secret@" -> "scheme://user:***@" in anything the parser echoes back.
std::string Redact(const std::string& text) {
  static const std::regex kUserInfo(R"((://[^:/@\s]*):[^@\s]*@)");
  return std::regex_replace(text, kUserInfo, "$1:***@");
}

int ParseFailure(const CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) {  // --help
    return app.exit(e);
  }
  std::fprintf(stderr, "brokrpc: %s\nRun with --help for more information.\n",
               Redact(e.what()).c_str());
  return brokrpc::cli::kExitUsage;
}

// Python BrokRPC's own invocation: brokrpc URL ROUTING_KEY [-e X] (-c|-p) [-s S] [-o M] [-q].
int RunLegacy(int argc, char** argv) {
  CLI::App app{"brokrpc URL ROUTING_KEY (-c|-p): Python BrokRPC's command line, unchanged",
               "brokrpc"};
  ConsumeArgs consume;
  bool consumer = false, publisher = false, quiet = false;
  app.add_option("url", consume.common.url, kUrlHelp)->required();
  app.add_option("routing_key", consume.common.routing_key, "routing / binding key")->required();
  app.add_option("-e,--exchange", consume.common.exchange, "exchange name");
  auto* c = app.add_flag("-c,--consumer", consumer, "consume (as `brokrpc consume`)");
  auto* p = app.add_flag("-p,--publisher", publisher, "publish stdin lines (as `brokrpc publish`)");
  c->excludes(p);
  app.add_option("-s,--serializer", consume.common.serializer, kSerializerHelp);
  app.add_option("-o,--output-mode", consume.output, "body (default), wide or json");
  app.add_flag("-q,--quiet", quiet, "publisher: do not print `sent`");
  try {
    app.parse(argc, argv);
    if (!consumer && !publisher) {
      throw CLI::ValidationError("one of the arguments -c/--consumer -p/--publisher is required");
    }
  } catch (const CLI::ParseError& e) {
    return ParseFailure(app, e);
  }
  if (consumer) return brokrpc::cli::RunConsume(consume);
  PublishArgs publish{.common = consume.common, .quiet = quiet};
  return brokrpc::cli::RunPublish(publish);
}

bool IsLegacyInvocation(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  for (const char* name : {"consume", "publish", "list", "describe", "call", "help"}) {
    if (std::strcmp(argv[1], name) == 0) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (IsLegacyInvocation(argc, argv)) return RunLegacy(argc, argv);

  CLI::App app{"brokrpc: messages and RPC calls on RabbitMQ (brokrpc-cpp)", "brokrpc"};
  app.require_subcommand(1);
  app.footer(std::string(kExitFooter) +
             "\nPython BrokRPC's form `brokrpc URL ROUTING_KEY -e EXCHANGE (-c|-p) [-s S] "
             "[-o body|wide] [-q]` works too.");

  ConsumeArgs consume;
  auto* consume_cmd = app.add_subcommand(
      "consume",
      "bind a fresh exclusive, auto-delete queue (brokrpc.<hex>, prefetch 1) to the exchange "
      "and print each message until SIGINT/SIGTERM or --count");
  consume_cmd->add_option("url", consume.common.url, kUrlHelp)->required();
  consume_cmd->add_option("routing_key", consume.common.routing_key, "binding key")->required();
  consume_cmd->add_option("-e,--exchange", consume.common.exchange, "exchange to bind to")
      ->required();
  consume_cmd->add_option("--exchange-type", consume.exchange_type,
                          "type the exchange is declared with: direct (default), fanout, topic "
                          "or headers");
  consume_cmd->add_flag("--exchange-durable", consume.exchange_durable,
                        "declare the exchange durable (to watch a durable exchange)");
  consume_cmd->add_flag("--exchange-auto-delete", consume.exchange_auto_delete,
                        "declare the exchange auto-delete");
  consume_cmd->add_option("-s,--serializer", consume.common.serializer, kSerializerHelp);
  consume_cmd->add_option("-o,--output-mode", consume.output,
                          "body (the body and a newline, default), wide (properties and headers "
                          "too) or json (one JSON object per line)");
  consume_cmd->add_option("-n,--count", consume.count, "exit 0 after this many messages");
  AddSchemaOptions(consume_cmd, consume.common.schema);

  PublishArgs publish;
  auto* publish_cmd =
      app.add_subcommand("publish", "publish each line of standard input as one message");
  publish_cmd->footer(kPublishFooter);
  publish_cmd->add_option("url", publish.common.url, kUrlHelp)->required();
  publish_cmd->add_option("routing_key", publish.common.routing_key, "routing key")->required();
  publish_cmd->add_option("-e,--exchange", publish.common.exchange,
                          "exchange (not declared; empty: RabbitMQ's default exchange)");
  publish_cmd->add_option("-s,--serializer", publish.common.serializer, kSerializerHelp);
  publish_cmd->add_flag("-q,--quiet", publish.quiet, "do not print `sent` per message");
  AddSchemaOptions(publish_cmd, publish.common.schema);

  DescribeArgs list;
  auto* list_cmd = app.add_subcommand(
      "list", "print each service with its methods, call kind, routing key, queue and exchange");
  list_cmd->add_option("url", list.url,
                       "without a schema: ask the servers on -e EXCHANGE at this broker "
                       "(reflection)");
  list_cmd->add_option("-e,--exchange", list.exchange,
                       "exchange overriding the services' (with URL: the exchange to ask)");
  AddSchemaOptions(list_cmd, list.schema);

  DescribeArgs describe;
  std::vector<std::string> describe_positionals;
  auto* describe_cmd = app.add_subcommand(
      "describe", "print a service, a method or a message: describe [URL -e EXCHANGE] NAME");
  describe_cmd
      ->add_option("url_and_name", describe_positionals,
                   "[URL] NAME: NAME is pkg.Service, pkg.Service/Method or pkg.Message; with URL "
                   "(and -e, no schema) the servers on the exchange describe it (reflection)")
      ->expected(1, 2)
      ->required();
  describe_cmd->add_option("-e,--exchange", describe.exchange,
                           "exchange overriding the service's (with URL: the exchange to ask)");
  AddSchemaOptions(describe_cmd, describe.schema);

  CallArgs call;
  auto* call_cmd = app.add_subcommand(
      "call",
      "call a method: the request as proto3 JSON, the response(s) printed as proto3 JSON, one "
      "per line");
  call_cmd->footer(
      "Without --proto / --descriptor-set the servers on -e EXCHANGE are asked for the schema "
      "(reflection: a brokrpc-cpp Server with ServerOptions::reflection). "
      "Unary and fire-and-forget methods and server streaming take one request (-d, default "
      "{}). Client streaming and bidirectional methods read one JSON object per line (-d "
      "@FILE, or standard input). A fire-and-forget method is published and its confirm "
      "reported. " +
      std::string(kExitFooter));
  call_cmd->add_option("url", call.url, kUrlHelp)->required();
  call_cmd->add_option("method", call.method, "pkg.Service/Method")->required();
  call_cmd->add_option("-d,--data", call.data,
                       "the request: JSON, @FILE, or @- for standard input");
  call_cmd->add_option("-e,--exchange", call.exchange,
                       "exchange overriding the service's (brokrpc.spec.v1.exchange) option");
  call_cmd->add_option("--timeout", call.timeout_seconds,
                       "deadline of the call in seconds (default 30; streams: the whole "
                       "stream)");
  call_cmd->add_flag("--wait-for-ready", call.wait_for_ready,
                     "wait (until the deadline) while no server consumes the method instead of "
                     "failing at once with UNAVAILABLE");
  Repeatable(call_cmd, "-H,--header", call.metadata, "metadata key:value (repeatable)");
  call_cmd->add_option("--wire", call.wire,
                       "payload encoding on the wire: protobuf (default) or json (unary and "
                       "fire-and-forget)");
  AddSchemaOptions(call_cmd, call.schema);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ParseFailure(app, e);
  }
  if (*consume_cmd) return brokrpc::cli::RunConsume(consume);
  if (*publish_cmd) return brokrpc::cli::RunPublish(publish);
  if (*list_cmd) return brokrpc::cli::RunList(list);
  if (*describe_cmd) {
    describe.name = describe_positionals.back();
    if (describe_positionals.size() == 2) describe.url = describe_positionals.front();
    return brokrpc::cli::RunDescribe(describe);
  }
  if (*call_cmd) return brokrpc::cli::RunCall(call);
  return brokrpc::cli::kExitUsage;
}
