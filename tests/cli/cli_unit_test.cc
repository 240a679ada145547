// The brokrpc tool without a broker: schemas and the specs resolved from them, body formats,
// message output, JSON helpers, and the commands that need no connection.
#include <catch2/catch.hpp>

#include "body_format.h"
#include "brokrpc/serializer.h"
#include "cli/cli_paths.h"
#include "cli/process.h"
#include "json_text.h"
#include "message_output.h"
#include "method_lookup.h"
#include "schema.h"
#include "service_spec.h"

namespace brokrpc::cli {
namespace {

using testing::Cli;
using testing::kExamplesDir;
using testing::kGreeterDescriptorSet;
using testing::kGreeterProto;
using testing::Run;
using testing::RunResult;

std::unique_ptr<Schema> Load(SchemaSources sources) {
  auto schema = Schema::Load(sources);
  INFO(schema.status().ToString());
  REQUIRE(schema.ok());
  return std::move(*schema);
}

TEST_CASE("cli schema: a .proto resolves to the spec the plugin generates", "[cli]") {
  auto schema = Load({.proto_files = {kGreeterProto}});
  auto method = FindMethod(*schema, "greeting.Greeter/Greet");
  REQUIRE(method.ok());
  ResolvedService service((*method)->service(), std::nullopt);
  const ServiceSpec& spec = service.spec();
  CHECK(spec.full_name == "greeting.Greeter");
  CHECK(spec.package == "greeting");
  CHECK(spec.exchange.name == std::optional<std::string>("greetings"));
  REQUIRE(spec.methods.size() == 1);
  CHECK(spec.methods[0].routing_key == "/greeting/Greeter/Greet");
  CHECK(spec.methods[0].kind == MethodKind::kUnary);
  CHECK(spec.methods[0].request_type == "greeting.GreetRequest");
  CHECK(spec.methods[0].response_type == "greeting.GreetResponse");
  CHECK(spec.methods[0].queue.name == std::optional<std::string>("/greeting/Greeter/Greet"));

  ResolvedService overridden((*method)->service(), std::string("elsewhere"));
  CHECK(overridden.spec().exchange.name == std::optional<std::string>("elsewhere"));
}

TEST_CASE("cli schema: call kinds and queue options", "[cli]") {
  auto schema = Load({.proto_files = {kExamplesDir + "/route/route.proto",
                                      kExamplesDir + "/notifications/notifications.proto"}});
  ResolvedService route(schema->FindService("route.RouteGuide"), std::nullopt);
  CHECK(route.spec().methods[0].kind == MethodKind::kServerStreaming);
  CHECK(route.spec().methods[1].kind == MethodKind::kClientStreaming);
  CHECK(route.spec().methods[2].kind == MethodKind::kBidiStreaming);
  ResolvedService notify(schema->FindService("notifications.Notifications"), std::nullopt);
  const MethodSpec& m = notify.spec().methods[0];
  CHECK(m.kind == MethodKind::kFireAndForget);
  CHECK(m.response_type.empty());
  CHECK(m.queue.durable == std::optional<bool>(true));
  CHECK(m.queue.name == std::optional<std::string>("/notifications/Notifications/Notify"));
}

TEST_CASE("cli schema: a descriptor set gives the same spec as the .proto", "[cli]") {
  auto schema = Load({.descriptor_sets = {kGreeterDescriptorSet}});
  const auto* service = schema->FindService("greeting.Greeter");
  REQUIRE(service != nullptr);
  ResolvedService resolved(service, std::nullopt);
  CHECK(resolved.spec().exchange.name == std::optional<std::string>("greetings"));
  CHECK(resolved.spec().methods[0].routing_key == "/greeting/Greeter/Greet");
}

TEST_CASE("cli schema: a missing file and an unknown method are reported", "[cli]") {
  auto missing = Schema::Load({.proto_files = {"no/such.proto"}});
  CHECK(!missing.ok());
  CHECK(missing.status().message().find("such.proto") != std::string::npos);

  auto schema = Load({.proto_files = {kGreeterProto}});
  auto unknown = FindMethod(*schema, "greeting.Greeter/Greeet");
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().code() == StatusCode::kNotFound);
  CHECK(unknown.status().message().find("greeting.Greeter/Greet") != std::string::npos);
  auto no_service = FindMethod(*schema, "greeting.Greeterr/Greet");
  REQUIRE(!no_service.ok());
  CHECK(no_service.status().message().find("services: greeting.Greeter") != std::string::npos);
}

TEST_CASE("cli body formats: raw, json and protobuf:TYPE both ways", "[cli]") {
  auto schema = Load({.proto_files = {kGreeterProto}});

  SECTION("raw keeps the bytes; non-UTF-8 prints as base64 in JSON") {
    auto raw = ParseBodyFormat("raw", *schema);
    REQUIRE(raw.ok());
    Message m;
    REQUIRE(EncodeBody(*raw, *schema, "line\n", &m).ok());
    CHECK(m.body == "line\n");
    CHECK(!m.properties.content_type);
    m.body = std::string("\xff\x00", 2);
    auto decoded = DecodeBody(*raw, *schema, m);
    REQUIRE(decoded.ok());
    CHECK(decoded->json == "{\"base64\":\"/wA=\"}");
  }
  SECTION("json checks the text and sets the JSON content type") {
    auto json = ParseBodyFormat("json", *schema);
    REQUIRE(json.ok());
    Message m;
    CHECK(EncodeBody(*json, *schema, "{not json\n", &m).code() == StatusCode::kInvalidArgument);
    REQUIRE(EncodeBody(*json, *schema, "{\"a\": [1, 2]}\n", &m).ok());
    CHECK(m.body == "{\"a\": [1, 2]}");
    CHECK(m.properties.content_type == std::optional<std::string>("application/json"));
    CHECK(m.properties.content_encoding == std::optional<std::string>("utf-8"));
  }
  SECTION("protobuf:TYPE encodes binary protobuf and decodes it to proto3 JSON") {
    auto pb = ParseBodyFormat("protobuf:greeting.GreetRequest", *schema);
    REQUIRE(pb.ok());
    Message m;
    REQUIRE(EncodeBody(*pb, *schema, "{\"name\": \"x\"}", &m).ok());
    CHECK(m.properties.content_type == std::optional<std::string>("application/protobuf"));
    CHECK(m.properties.type == std::optional<std::string>("greeting.GreetRequest"));
    CHECK(m.body == std::string("\x0a\x01x", 3));
    auto decoded = DecodeBody(*pb, *schema, m);
    REQUIRE(decoded.ok());
    CHECK(decoded->json == "{\"name\":\"x\"}");
    m.properties.type = "other.Type";
    auto wrong = DecodeBody(*pb, *schema, m);
    REQUIRE(!wrong.ok());
    CHECK(wrong.status().message() ==
          "invalid message type: expected 'greeting.GreetRequest', got 'other.Type'");
    Status bad_field = EncodeBody(*pb, *schema, "{\"nmae\": \"x\"}", &m);
    CHECK(bad_field.code() == StatusCode::kInvalidArgument);
    CHECK(bad_field.message().find("nmae") != std::string::npos);
  }
  SECTION("compiled-in types need no schema; unknown ones and serializers are refused") {
    auto empty = Load({});
    CHECK(ParseBodyFormat("protobuf:brokrpc.spec.v1.Error", *empty).ok());
    CHECK(ParseBodyFormat("protobuf:google.protobuf.Timestamp", *empty).ok());
    CHECK(ParseBodyFormat("protobuf:no.Such", *empty).status().code() == StatusCode::kNotFound);
    CHECK(ParseBodyFormat("pickle", *empty).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("cli output: -o json is one object per line with properties and headers", "[cli]") {
  Message m{.body = "hi\n", .exchange = "x", .routing_key = "k"};
  m.properties.content_type = "text/plain";
  m.properties.timestamp = 42;
  m.properties.headers.Set("n", FieldValue(7));
  m.delivery = DeliveryInfo{.exchange = "x", .routing_key = "k", .redelivered = true};
  DecodedBody body{.text = "hi\n", .json = JsonQuote("hi\n")};
  CHECK(FormatMessage(OutputMode::kJson, m, body) ==
        "{\"exchange\":\"x\",\"routing_key\":\"k\",\"redelivered\":true,\"properties\":{"
        "\"content_type\":\"text/plain\",\"timestamp\":42},\"headers\":{\"n\":7},\"body\":"
        "\"hi\\n\"}\n");
  CHECK(FormatMessage(OutputMode::kBody, m, body) == "hi\n\n");
  std::string wide = FormatMessage(OutputMode::kWide, m, body);
  CHECK(wide.find("content_type: text/plain\n") != std::string::npos);
  CHECK(wide.find("body: \"hi\\n\"\n") != std::string::npos);
}

TEST_CASE("cli JSON helpers: quoting and UTF-8 checks", "[cli]") {
  CHECK(JsonQuote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  CHECK(IsUtf8("J\xc3\xb6hn"));
  CHECK(!IsUtf8("\xc3"));
  CHECK(!IsUtf8("\xc0\xaf"));      // overlong
  CHECK(!IsUtf8("\xed\xa0\x80"));  // surrogate
  CHECK(CheckJson("[1, {\"a\": null}]").ok());
  CHECK(!CheckJson("[1,").ok());
}

TEST_CASE("cli commands: list and describe need no broker", "[cli]") {
  RunResult list = Run(Cli({"list", "--proto", kGreeterProto}));
  INFO(list.err);
  CHECK(list.exit_code == 0);
  CHECK(list.out ==
        "greeting.Greeter\n"
        "  exchange: greetings (type=direct durable=false auto_delete=false arguments={})\n"
        "  Greet: unary, greeting.GreetRequest -> greeting.GreetResponse\n"
        "    routing key: /greeting/Greeter/Greet\n"
        "    queue: /greeting/Greeter/Greet (durable=false exclusive=false auto_delete=false)\n");
  RunResult message =
      Run(Cli({"describe", "greeting.GreetRequest", "--descriptor-set", kGreeterDescriptorSet}));
  CHECK(message.exit_code == 0);
  CHECK(message.out.rfind("message GreetRequest {\n  string name = 1", 0) == 0);
  RunResult unknown = Run(Cli({"describe", "greeting.Nope", "--proto", kGreeterProto}));
  CHECK(unknown.exit_code == 64 + 5);
  CHECK(unknown.err.find("services: greeting.Greeter") != std::string::npos);
}

TEST_CASE("cli command line: bad usage is exit 2 and never echoes a password", "[cli]") {
  RunResult extra = Run(Cli({"call", "amqp://u:hunter2@h/", "a/b", "c"}));
  CHECK(extra.exit_code == 2);
  CHECK(extra.err.find("hunter2") == std::string::npos);
  RunResult legacy = Run(Cli({"amqp://u:hunter2@h/", "key", "-e", "x"}));
  CHECK(legacy.exit_code == 2);
  CHECK(legacy.err.find("-c/--consumer -p/--publisher") != std::string::npos);
  CHECK(legacy.err.find("hunter2") == std::string::npos);
  RunResult help = Run(Cli({"publish", "--help"}));
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("newline is kept") != std::string::npos);
}

}  // namespace
}  // namespace brokrpc::cli
