#include "support/echo_service.h"

#include "brokrpc/impl/codegen.h"

namespace brokrpc::testing {

EchoSpec::EchoSpec(std::string exchange, std::string package, bool auto_delete,
                   FieldTable queue_arguments)
    : exchange_(std::move(exchange)), package_(std::move(package)) {
  full_name_ = package_ + ".Echo";
  keys_[kEcho] = "/" + package_ + "/Echo/Echo";
  keys_[kNotify] = "/" + package_ + "/Echo/Notify";
  spec_ = ServiceSpec{
      .full_name = full_name_,
      .package = package_,
      .exchange = {.name = exchange_, .auto_delete = true},
      .methods = {MethodSpec{.name = "Echo",
                             .routing_key = keys_[kEcho],
                             .kind = MethodKind::kUnary,
                             .request_type = "google.protobuf.StringValue",
                             .response_type = "google.protobuf.StringValue",
                             .queue = {.name = keys_[kEcho],
                                       .auto_delete = auto_delete,
                                       .arguments = queue_arguments}},
                  MethodSpec{.name = "Notify",
                             .routing_key = keys_[kNotify],
                             .kind = MethodKind::kFireAndForget,
                             .request_type = "google.protobuf.StringValue",
                             .queue = {.name = keys_[kNotify], .auto_delete = auto_delete}}}};
}

EchoService::EchoService(const EchoSpec& spec, EchoFn on_echo, NotifyFn on_notify)
    : Service(spec.spec()), on_echo_(std::move(on_echo)), on_notify_(std::move(on_notify)) {
  AddUnaryHandler<StringValue, StringValue>(
      EchoSpec::kEcho, [this](ServerContext* ctx, const StringValue* req, StringValue* resp) {
        ++echo_calls;
        if (on_echo_) return on_echo_(ctx, *req, resp);
        resp->set_value("echo: " + req->value());
        return OkStatus();
      });
  AddFireAndForgetHandler<StringValue>(EchoSpec::kNotify,
                                       [this](ServerContext* ctx, const StringValue* m) {
                                         ++notify_calls;
                                         if (on_notify_) return on_notify_(ctx, *m);
                                         return ConsumeResult::Ack();
                                       });
}

Message EncodedString(const std::string& value) {
  StringValue body;
  body.set_value(value);
  Message m;
  (void)ProtobufSerializer::Encode(body, &m);
  return m;
}

Status CallEcho(Channel& channel, const EchoSpec& spec, ClientContext* ctx,
                const std::string& value, std::string* reply) {
  StringValue req, resp;
  req.set_value(value);
  Status s = internal::BlockingUnaryCall(&channel, spec.spec(), EchoSpec::kEcho, ctx, req, &resp);
  if (s.ok() && reply != nullptr) *reply = resp.value();
  return s;
}

Status CallNotify(Channel& channel, const EchoSpec& spec, ClientContext* ctx,
                  const std::string& value) {
  StringValue m;
  m.set_value(value);
  return internal::BlockingFireAndForget(&channel, spec.spec(), EchoSpec::kNotify, ctx, m);
}

}  // namespace brokrpc::testing
