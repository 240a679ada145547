// ServiceGenerator's .brokrpc.pb.cc half: spec() and the out-of-line definitions of the
// service's constructor, the default method bodies and the Stub (service_generator.cc describes
// the generated code as a whole).
#include "brokrpc/spec/v1/amqp.pb.h"
#include "method_shape.h"
#include "naming.h"
#include "service_generator.h"
#include "spec_literals.h"

namespace brokrpc::plugin {

using google::protobuf::MethodDescriptor;
using google::protobuf::io::Printer;

void ServiceGenerator::GenerateSpec(Printer* p) const {
  const auto& options = service_->options();
  Vars v = vars_;
  v["exchange"] = ExchangeLiteral(options.HasExtension(brokrpc::spec::v1::exchange)
                                      ? &options.GetExtension(brokrpc::spec::v1::exchange)
                                      : nullptr);
  p->Print(
      v,
      R"tmpl(// x-arguments of the exchange and queue options are carried over (the Python generator
// drops them), so that e.g. x-queue-type: quorum takes effect.
const ::brokrpc::ServiceSpec& $Service$::spec() {
  static const ::brokrpc::ServiceSpec* const kSpec = new ::brokrpc::ServiceSpec{
      .full_name = $full_name$,
      .package = $package$,
      .exchange = $exchange$,
      .methods = {
)tmpl");
  for (int i = 0; i < 4; ++i) p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i), R"tmpl(::brokrpc::MethodSpec{
    .name = $method_name$,
    .routing_key = $routing_key$,
    .kind = ::brokrpc::MethodKind::$kind$,
    .request_type = $request_type$,
    .response_type = $response_type$,
    .queue = $queue$,
},
)tmpl");
  }
  for (int i = 0; i < 4; ++i) p->Outdent();
  p->Print(R"tmpl(      },
  };
  return *kSpec;
}

)tmpl");
}

void ServiceGenerator::GenerateDefinitions(Printer* p) const {
  GenerateSpec(p);
  p->Print(vars_, "$Service$::Service::Service() : ::brokrpc::Service($Service$::spec()) {\n");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    Shape shape = ShapeOf(m);
    if (shape == Shape::kServerStreaming) {
      p->Print(v, R"tmpl(::brokrpc::Service::AddServerStreamingHandler<$Request$, $Response$>(
    $Service$::$kIndex$, [this](::brokrpc::ServerContext* context, const $Request$* request, ::brokrpc::ServerWriter<$Response$>* writer) {
      return this->$Method$(context, request, writer);
    });
)tmpl");
    } else if (shape == Shape::kClientStreaming) {
      p->Print(v, R"tmpl(::brokrpc::Service::AddClientStreamingHandler<$Request$, $Response$>(
    $Service$::$kIndex$, [this](::brokrpc::ServerContext* context, ::brokrpc::ServerReader<$Request$>* reader, $Response$* response) {
      return this->$Method$(context, reader, response);
    });
)tmpl");
    } else if (shape == Shape::kBidi) {
      p->Print(v, R"tmpl(::brokrpc::Service::AddBidiStreamingHandler<$Request$, $Response$>(
    $Service$::$kIndex$, [this](::brokrpc::ServerContext* context, ::brokrpc::ServerReaderWriter<$Response$, $Request$>* stream) {
      return this->$Method$(context, stream);
    });
)tmpl");
    } else if (shape == Shape::kFireAndForget) {
      p->Print(v, R"tmpl(::brokrpc::Service::AddFireAndForgetHandler<$Request$>(
    $Service$::$kIndex$, [this](::brokrpc::ServerContext* context, const $Request$* message) {
      return this->$Method$(context, message);
    });
)tmpl");
    } else {
      p->Print(v, R"tmpl(::brokrpc::Service::AddUnaryHandler<$Request$, $Response$>(
    $Service$::$kIndex$, [this](::brokrpc::ServerContext* context, const $Request$* request, $Response$* response) {
      return this->$Method$(context, request, response);
    });
)tmpl");
    }
  }
  p->Outdent();
  p->Print(vars_, "}\n\n$Service$::Service::~Service() = default;\n\n");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    Shape shape = ShapeOf(m);
    if (shape == Shape::kServerStreaming) {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/, const $Request$* /*request*/, ::brokrpc::ServerWriter<$Response$>* /*writer*/) {
  return ::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$);
}

)tmpl");
    } else if (shape == Shape::kClientStreaming) {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/, ::brokrpc::ServerReader<$Request$>* /*reader*/, $Response$* /*response*/) {
  return ::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$);
}

)tmpl");
    } else if (shape == Shape::kBidi) {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/, ::brokrpc::ServerReaderWriter<$Response$, $Request$>* /*stream*/) {
  return ::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$);
}

)tmpl");
    } else if (shape == Shape::kFireAndForget) {
      p->Print(
          v,
          R"tmpl(::brokrpc::ConsumeResult $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/, const $Request$* /*message*/) {
  return ::brokrpc::ConsumeResult::Reject(::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$));
}

)tmpl");
    } else {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/, const $Request$* /*request*/, $Response$* /*response*/) {
  return ::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$);
}

)tmpl");
    }
  }
  p->Print(
      vars_,
      R"tmpl($Service$::Stub::Stub(std::shared_ptr<::brokrpc::Channel> channel) : channel_(std::move(channel)) {}

)tmpl");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    Shape shape = ShapeOf(m);
    if (shape == Shape::kServerStreaming) {
      p->Print(
          v,
          R"tmpl(std::unique_ptr<::brokrpc::ClientReader<$Response$>> $Service$::Stub::$Method$(::brokrpc::ClientContext* context, const $Request$& request) {
  return ::brokrpc::internal::ServerStreamingCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, request);
}

)tmpl");
    } else if (shape == Shape::kClientStreaming) {
      p->Print(
          v,
          R"tmpl(std::unique_ptr<::brokrpc::ClientWriter<$Request$, $Response$>> $Service$::Stub::$Method$(::brokrpc::ClientContext* context, $Response$* response) {
  return ::brokrpc::internal::ClientStreamingCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, response);
}

)tmpl");
    } else if (shape == Shape::kBidi) {
      p->Print(
          v,
          R"tmpl(std::unique_ptr<::brokrpc::ClientReaderWriter<$Request$, $Response$>> $Service$::Stub::$Method$(::brokrpc::ClientContext* context) {
  return ::brokrpc::internal::BidiStreamingCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context);
}

)tmpl");
    } else if (shape == Shape::kFireAndForget) {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Stub::$Method$(::brokrpc::ClientContext* context, const $Request$& message) {
  return ::brokrpc::internal::BlockingFireAndForget<$Request$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, message);
}

std::future<::brokrpc::Status> $Service$::Stub::$AsyncMethod$(::brokrpc::ClientContext* context, const $Request$& message) {
  return ::brokrpc::internal::AsyncFireAndForget<$Request$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, message);
}

)tmpl");
    } else {
      p->Print(
          v,
          R"tmpl(::brokrpc::Status $Service$::Stub::$Method$(::brokrpc::ClientContext* context, const $Request$& request, $Response$* response) {
  return ::brokrpc::internal::BlockingUnaryCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, request, response);
}

std::future<::brokrpc::StatusOr<$Response$>> $Service$::Stub::$AsyncMethod$(::brokrpc::ClientContext* context, const $Request$& request) {
  return ::brokrpc::internal::AsyncUnaryCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, request);
}

void $Service$::Stub::$AsyncMethod$(::brokrpc::ClientContext* context, const $Request$& request, std::function<void(::brokrpc::StatusOr<$Response$>)> on_done) {
  ::brokrpc::internal::CallbackUnaryCall<$Request$, $Response$>(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context, request, std::move(on_done));
}

)tmpl");
    }
  }
  p->Print(
      vars_,
      R"tmpl(std::unique_ptr<$Service$::Stub> $Service$::NewStub(std::shared_ptr<::brokrpc::Channel> channel) {
  return std::make_unique<Stub>(std::move(channel));
}

)tmpl");
}

}  // namespace brokrpc::plugin
