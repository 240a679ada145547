#include "brokrpc/serializer.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/wrappers.pb.h>

#include <catch2/catch.hpp>

#include "brokrpc/spec/v1/call.pb.h"

namespace brokrpc {
namespace {

using google::protobuf::Int32Value;
using google::protobuf::StringValue;

TEST_CASE("serializer: protobuf sets content_type and type, and round-trips", "[serializer]") {
  StringValue v;
  v.set_value("Bob");
  Message m;
  REQUIRE(ProtobufSerializer::Encode(v, &m).ok());
  CHECK(m.body == std::string("\n\x03"
                              "Bob"));
  CHECK(m.properties.content_type == "application/protobuf");
  CHECK(m.properties.type == "google.protobuf.StringValue");
  CHECK_FALSE(m.properties.content_encoding.has_value());
  StringValue out;
  REQUIRE(ProtobufSerializer::Decode(m, &out).ok());
  CHECK(out.value() == "Bob");
}

TEST_CASE("serializer: protobuf mismatches name what was expected and what came", "[serializer]") {
  StringValue v;
  Message m;
  REQUIRE(ProtobufSerializer::Encode(v, &m).ok());
  Int32Value wrong;
  Status s = ProtobufSerializer::Decode(m, &wrong);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "invalid message type: expected 'google.protobuf.Int32Value', got "
        "'google.protobuf.StringValue'");
  m.properties.content_type = "application/json";
  CHECK(ProtobufSerializer::Decode(m, &v).message() ==
        "invalid content type: expected 'application/protobuf', got 'application/json'");
  m.properties.content_type.reset();
  CHECK(ProtobufSerializer::Decode(m, &v).message() ==
        "invalid content type: expected 'application/protobuf', got none");
  Message garbage{.body = "\xff\xff\xff"};
  garbage.properties.content_type = "application/protobuf";
  garbage.properties.type = "google.protobuf.StringValue";
  Status g = ProtobufSerializer::Decode(garbage, &v);
  CHECK(g.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(g.message(), Catch::Contains("can't decode protobuf message"));
}

TEST_CASE("serializer: JSON is compact, uses proto field names and escapes non-ASCII",
          "[serializer]") {
  brokrpc::spec::v1::Error e;
  e.set_message("J\xc3\xb6hn \xf0\x9f\x98\x80");  // "Jöhn 😀"
  Message m;
  REQUIRE(JsonSerializer::Encode(e, &m).ok());
  CHECK(m.properties.content_type == "application/json");
  CHECK(m.properties.content_encoding == "utf-8");
  CHECK_FALSE(m.properties.type.has_value());
  CHECK(m.body == "{\"message\":\"J\\u00f6hn \\ud83d\\ude00\"}");
  brokrpc::spec::v1::Error back;
  REQUIRE(JsonSerializer::Decode(m, &back).ok());
  CHECK(back.message() == e.message());
}

TEST_CASE("serializer: JSON accepts raw UTF-8 and escaped input alike", "[serializer]") {
  for (const char* body : {"{\"message\":\"J\xc3\xb6hn\"}", "{\"message\":\"J\\u00f6hn\"}"}) {
    Message m{.body = body};
    m.properties.content_type = "application/json";
    brokrpc::spec::v1::Error e;
    REQUIRE(JsonSerializer::Decode(m, &e).ok());
    CHECK(e.message() == "J\xc3\xb6hn");
  }
}

TEST_CASE("serializer: JSON errors", "[serializer]") {
  StringValue v;
  Message m{.body = "{not json"};
  m.properties.content_type = "application/json";
  Status s = JsonSerializer::Decode(m, &v);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("can't decode JSON as google.protobuf.StringValue"));
  m.properties.content_encoding = "latin-1";
  CHECK_THAT(JsonSerializer::Decode(m, &v).message(),
             Catch::Contains("unsupported content encoding"));
  m.properties.content_type = "application/json; charset=utf-8";  // exact match, as BrokRPC
  CHECK_THAT(JsonSerializer::Decode(m, &v).message(), Catch::StartsWith("invalid content type"));
}

TEST_CASE("serializer: raw bytes pass through unchecked", "[serializer]") {
  Message m;
  REQUIRE(RawSerializer::Encode(std::string_view("\0\1\2", 3), &m).ok());
  CHECK(m.body.size() == 3);
  std::string out;
  REQUIRE(RawSerializer::Decode(m, &out).ok());
  CHECK(out == std::string("\0\1\2", 3));
  CHECK_FALSE(m.properties.content_type.has_value());
}

}  // namespace
}  // namespace brokrpc
