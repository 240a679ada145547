#include "rpc/stream_codec.h"

#include "brokrpc/spec/v1/call.pb.h"

namespace brokrpc::internal {
namespace {

using spec::v1::StreamRequest;
using spec::v1::StreamResponse;

template <typename End>
Status StatusOfEnd(const End& end) {
  StatusCode code = StatusCodeFromInt(static_cast<int>(end.code()));
  return Status(code, end.has_error() ? end.error().message() : std::string());
}

template <typename End>
void FillEnd(End* end, const Status& status) {
  end->set_code(static_cast<google::rpc::Code>(status.code()));
  if (!status.ok()) end->mutable_error()->set_message(status.message());
}

template <typename Payloads>
void MovePayloads(std::vector<google::protobuf::Any>& from, Payloads* to) {
  to->Reserve(static_cast<int>(from.size()));
  for (auto& any : from) *to->Add() = std::move(any);
  from.clear();
}

template <typename Payloads>
void TakePayloads(Payloads* from, std::vector<google::protobuf::Any>* to) {
  to->reserve(static_cast<size_t>(from->size()));
  for (auto& any : *from) to->push_back(std::move(any));
}

void EncodeStart(StreamEvent& event, StreamRequest* env) {
  auto* start = env->mutable_start();
  MovePayloads(event.payloads, start->mutable_payloads());
  start->set_last(event.last);
  start->set_window(event.window);
}

void EncodeStart(StreamEvent& event, StreamResponse* env) {
  env->mutable_start()->set_window(event.window);
}

void DecodeStart(StreamRequest& env, StreamEvent* event) {
  auto* start = env.mutable_start();
  TakePayloads(start->mutable_payloads(), &event->payloads);
  event->last = start->last();
  event->window = start->window();
}

void DecodeStart(StreamResponse& env, StreamEvent* event) { event->window = env.start().window(); }

// The two envelope types share every field but Start, so one template serves both ends.
template <typename Envelope>
std::string Encode(StreamEnvelope& envelope) {
  Envelope env;
  env.set_uuid(envelope.uuid);
  env.set_index(envelope.index);
  StreamEvent& event = envelope.event;
  switch (event.kind) {
    case StreamEvent::Kind::kStart:
      EncodeStart(event, &env);
      break;
    case StreamEvent::Kind::kPart:
      MovePayloads(event.payloads, env.mutable_part()->mutable_payloads());
      break;
    case StreamEvent::Kind::kEnd:
      FillEnd(env.mutable_end(), event.status);
      break;
    case StreamEvent::Kind::kCredit:
      env.mutable_credit()->set_grant(event.grant);
      break;
    case StreamEvent::Kind::kPing:
      env.mutable_ping();
      break;
    case StreamEvent::Kind::kNone:
      break;
  }
  return env.SerializeAsString();
}

template <typename Envelope>
bool Decode(const std::string& body, StreamEnvelope* out) {
  Envelope env;
  if (!env.ParseFromString(body)) return false;
  out->uuid = env.uuid();
  out->index = env.index();
  StreamEvent& event = out->event;
  event = StreamEvent{};
  switch (env.event_case()) {
    case Envelope::kStart:
      event.kind = StreamEvent::Kind::kStart;
      DecodeStart(env, &event);
      break;
    case Envelope::kPart:
      event.kind = StreamEvent::Kind::kPart;
      TakePayloads(env.mutable_part()->mutable_payloads(), &event.payloads);
      break;
    case Envelope::kEnd:
      event.kind = StreamEvent::Kind::kEnd;
      event.status = StatusOfEnd(env.end());
      break;
    case Envelope::kCredit:
      event.kind = StreamEvent::Kind::kCredit;
      event.grant = env.credit().grant();
      break;
    case Envelope::kPing:
      event.kind = StreamEvent::Kind::kPing;
      break;
    default:
      event.kind = StreamEvent::Kind::kNone;
      break;
  }
  return true;
}

}  // namespace

const StreamCodec& StreamCodec::For(StreamRole role) {
  static const ClientStreamCodec client;
  static const ServerStreamCodec server;
  if (role == StreamRole::kClient) return client;
  return server;
}

std::string ClientStreamCodec::Encode(StreamEnvelope& envelope) const {
  return internal::Encode<StreamRequest>(envelope);
}

bool ClientStreamCodec::Decode(const std::string& body, StreamEnvelope* out) const {
  return internal::Decode<StreamResponse>(body, out);
}

std::string ServerStreamCodec::Encode(StreamEnvelope& envelope) const {
  return internal::Encode<StreamResponse>(envelope);
}

bool ServerStreamCodec::Decode(const std::string& body, StreamEnvelope* out) const {
  return internal::Decode<StreamRequest>(body, out);
}

}  // namespace brokrpc::internal
