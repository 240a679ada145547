#include "rpc/wire.h"

#include <charconv>

#include "brokrpc/serializer.h"
#include "brokrpc/spec/v1/call.pb.h"

namespace brokrpc::internal {

int64_t ToEpochMillis(SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

SystemClock::time_point FromEpochMillis(int64_t ms) {
  return SystemClock::time_point(std::chrono::milliseconds(ms));
}

std::optional<int64_t> IntegerHeader(const Message& message, std::string_view key) {
  const FieldValue* v = message.properties.headers.Find(key);
  if (v == nullptr) return std::nullopt;
  if (const int64_t* i = v->get_if<int64_t>()) return *i;
  if (const std::string* s = v->get_if<std::string>()) {
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && ptr == s->data() + s->size()) return out;
  }
  return std::nullopt;
}

std::optional<SystemClock::time_point> RequestDeadline(const Message& request) {
  if (auto ms = IntegerHeader(request, kDeadlineHeader)) return FromEpochMillis(*ms);
  auto ttl = request.ttl();
  if (ttl && request.properties.timestamp) {
    return SystemClock::time_point(std::chrono::seconds(*request.properties.timestamp + 1)) + *ttl;
  }
  return std::nullopt;
}

void EncodeErrorReply(const Status& status, Message* out) {
  brokrpc::spec::v1::Error error;
  error.set_message(status.message());
  out->body = error.SerializeAsString();
  out->properties.content_type = std::string(kProtobufContentType);
  out->properties.type = std::string(kErrorType);
  out->properties.content_encoding.reset();
  out->properties.headers.Set(std::string(kStatusHeader),
                              FieldValue(static_cast<int64_t>(status.code())));
}

bool DecodeErrorReply(const Message& reply, Status* status) {
  if (!reply.properties.type || *reply.properties.type != kErrorType) return false;
  brokrpc::spec::v1::Error error;
  std::string message;
  if (error.ParseFromString(reply.body)) {
    message = error.message();
  } else {
    message = "undecodable error reply";
  }
  auto code = IntegerHeader(reply, kStatusHeader);
  StatusCode c = code ? StatusCodeFromInt(static_cast<int>(*code)) : StatusCode::kUnknown;
  if (c == StatusCode::kOk) c = StatusCode::kUnknown;
  *status = Status(c, std::move(message));
  return true;
}

}  // namespace brokrpc::internal
