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
    p->Print(MethodVars(m, i), MethodTextOf(ShapeOf(m)).Registration().c_str());
  }
  p->Outdent();
  p->Print(vars_, "}\n\n$Service$::Service::~Service() = default;\n\n");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    p->Print(MethodVars(m, i), MethodTextOf(ShapeOf(m)).DefaultBody().c_str());
  }
  p->Print(
      vars_,
      R"tmpl($Service$::Stub::Stub(std::shared_ptr<::brokrpc::Channel> channel) : channel_(std::move(channel)) {}

)tmpl");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    for (const StubMethod& stub : MethodTextOf(ShapeOf(m)).stub) {
      p->Print(v, stub.Definition().c_str());
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
