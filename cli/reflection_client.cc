#include "reflection_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "brokrpc/reflection/v1/reflection.pb.h"
#include "brokrpc/serializer.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "connect.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;
using brokrpc::reflection::v1::ListServicesRequest;
using brokrpc::reflection::v1::ListServicesResponse;

namespace {

constexpr std::string_view kRoutingKey = "/brokrpc.reflection.v1/ReflectionService/ListServices";

// The replies that came to the reply queue, for the waiting thread.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Message> replies;
};

// A reply's status: an error reply (type brokrpc.spec.v1.Error) carries one.
Status ErrorOf(const Message& reply) {
  if (!reply.properties.type || *reply.properties.type != "brokrpc.spec.v1.Error") {
    return OkStatus();
  }
  brokrpc::spec::v1::Error error;
  error.ParseFromString(reply.body);
  int code = static_cast<int>(StatusCode::kUnknown);
  if (const FieldValue* v = reply.properties.headers.Find("x-brokrpc-status")) {
    if (const int64_t* n = v->get_if<int64_t>()) code = static_cast<int>(*n);
  }
  return Status(StatusCodeFromInt(code), error.message());
}

}  // namespace

StatusOr<Reflected> ReflectServers(Broker& broker, const std::string& exchange,
                                   std::chrono::milliseconds timeout,
                                   std::chrono::milliseconds grace) {
  if (exchange.empty()) {
    return InvalidArgumentError(
        "without --proto or --descriptor-set, give the exchange to ask (-e EXCHANGE): the "
        "servers there describe their services (reflection)");
  }
  QueueOptions reply_queue{
      .name = "brokrpc." + RandomHex(), .durable = false, .exclusive = true, .auto_delete = true};
  auto queue = broker.DeclareQueue(reply_queue);
  if (!queue.ok()) return queue.status().WithContext("declare the reply queue");
  if (Status s = broker.BindQueue(*queue, {.name = exchange}, *queue); !s.ok()) {
    return s.WithContext(fmt::format("bind to exchange '{}'", exchange));
  }
  auto inbox = std::make_shared<Inbox>();
  auto consumer = broker.Consume({.queue = reply_queue}, [inbox](Message& m) {
    std::lock_guard<std::mutex> lock(inbox->mu);
    inbox->replies.push_back(m);
    inbox->cv.notify_all();
    return ConsumeResult::Ack();
  });
  if (!consumer.ok()) return consumer.status().WithContext("consume the reply queue");

  auto publisher =
      broker.CreatePublisher({.exchange = {.name = exchange}, .mandatory = true, .confirms = true});
  if (!publisher.ok()) return publisher.status();
  Message request{.routing_key = std::string(kRoutingKey)};
  BROKRPC_RETURN_IF_ERROR(ProtobufSerializer::Encode(ListServicesRequest(), &request));
  request.properties.reply_to = *queue;
  request.properties.correlation_id = RandomHex();
  request.properties.message_id = RandomHex();
  request.properties.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  request.set_ttl(timeout);
  const std::string correlation = *request.properties.correlation_id;
  if (Status sent = (*publisher)->Publish(std::move(request)); !sent.ok()) {
    if (sent.code() == StatusCode::kUnavailable) {
      return UnavailableError(
          fmt::format("no server on exchange '{}' answers reflection (a brokrpc-cpp Server with "
                      "ServerOptions::reflection = true); give the schema with --proto FILE or "
                      "--descriptor-set FILE ({})",
                      exchange, sent.message()));
    }
    return sent;
  }

  std::vector<Message> replies;
  {
    std::unique_lock<std::mutex> lock(inbox->mu);
    if (!inbox->cv.wait_for(lock, timeout, [&] { return !inbox->replies.empty(); })) {
      return DeadlineExceededError(fmt::format(
          "no reflection answer from exchange '{}' within {} ms", exchange, timeout.count()));
    }
    // Other servers on the exchange answer too: give them a moment.
    inbox->cv.wait_for(lock, grace, [] { return false; });
    replies = inbox->replies;
  }
  (*consumer)->Cancel(std::chrono::seconds(1)).IgnoreError();

  Reflected out;
  std::vector<pb::FileDescriptorProto> files;
  for (const auto& reply : replies) {
    if (!reply.properties.correlation_id || *reply.properties.correlation_id != correlation) {
      continue;
    }
    BROKRPC_RETURN_IF_ERROR(ErrorOf(reply).WithContext("reflection"));
    ListServicesResponse response;
    BROKRPC_RETURN_IF_ERROR(ProtobufSerializer::Decode(reply, &response));
    ++out.servers;
    for (const auto& name : response.services()) {
      if (std::find(out.services.begin(), out.services.end(), name) == out.services.end()) {
        out.services.push_back(name);
      }
    }
    for (const auto& file : response.files()) {
      bool known = std::any_of(files.begin(), files.end(),
                               [&](const auto& f) { return f.name() == file.name(); });
      if (!known) files.push_back(file);
    }
  }
  auto schema = Schema::Load({}, files);
  if (!schema.ok()) return schema.status().WithContext("the schema the servers sent");
  out.schema = std::move(*schema);
  return out;
}

}  // namespace brokrpc::cli
