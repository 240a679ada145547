#include "service_generator.h"

#include "brokrpc/spec/v1/amqp.pb.h"
#include "naming.h"
#include "spec_literals.h"

namespace brokrpc::plugin {

using google::protobuf::MethodDescriptor;
using google::protobuf::io::Printer;

namespace {
// Prints a "// ..." block line by line, so that each line gets the current indentation.
void PrintComment(Printer* p, const std::string& block) {
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find('\n', start);
    if (end == std::string::npos) end = block.size();
    p->Print("$line$\n", "line", block.substr(start, end - start));
    start = end + 1;
  }
}
}  // namespace

ServiceGenerator::ServiceGenerator(const google::protobuf::ServiceDescriptor* service)
    : service_(service) {
  vars_["Service"] = CppName(service->name());
  vars_["full_name"] = CppStringLiteral(service->full_name());
  vars_["package"] = CppStringLiteral(service->file()->package());
}

ServiceGenerator::Vars ServiceGenerator::MethodVars(const MethodDescriptor* m, int index) const {
  Vars v = vars_;
  v["Method"] = CppName(m->name());
  v["AsyncMethod"] = "Async" + m->name();
  v["method_name"] = CppStringLiteral(m->name());
  v["kKey"] = "k" + m->name();
  v["kIndex"] = "k" + m->name() + "Index";
  v["index"] = std::to_string(index);
  v["routing_key"] = CppStringLiteral(RoutingKey(m));
  v["queue_name"] = CppStringLiteral(QueueName(m));
  v["Request"] = CppType(m->input_type());
  v["Response"] = CppType(m->output_type());
  v["request_type"] = CppStringLiteral(m->input_type()->full_name());
  v["response_type"] =
      CppStringLiteral(IsFireAndForget(m) ? std::string() : m->output_type()->full_name());
  v["kind"] = IsFireAndForget(m) ? "kFireAndForget" : "kUnary";
  v["unimplemented"] = CppStringLiteral("method " + RoutingKey(m) + " is not implemented");
  const auto& options = m->options();
  v["queue"] = QueueLiteral(options.HasExtension(brokrpc::spec::v1::queue)
                                ? &options.GetExtension(brokrpc::spec::v1::queue)
                                : nullptr,
                            QueueName(m));
  return v;
}

void ServiceGenerator::GenerateDeclaration(Printer* p) const {
  PrintComment(p, CommentBlock(service_));
  p->Print(vars_, R"cc(class $Service$ final {
                        public:
                         static constexpr std::string_view service_full_name() { return $full_name$; }

                         // The routing key of each method: "/" + package + "/" + service + "/" +
                         // method.
                         struct RoutingKeys {
  )cc");
  p->Indent();
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i),
             "static constexpr std::string_view $kKey$ = $routing_key$;\n");
  }
  p->Outdent();
  p->Print("};\n");
  p->Print("// The server queue of each method (the queue option's name, else the routing key).\n");
  p->Print("struct QueueNames {\n");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i),
             "static constexpr std::string_view $kKey$ = $queue_name$;\n");
  }
  p->Outdent();
  p->Print("};\n");
  p->Print("// Positions of the methods in spec().methods.\n");
  p->Print("enum MethodIndex : size_t {\n");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i), "$kIndex$ = $index$,\n");
  }
  p->Outdent();
  p->Print("};\n\n");
  p->Print(R"cc(// The exchange, methods and queues of this service, as the runtime serves and calls
                // them.
                static const ::brokrpc::ServiceSpec& spec();
  )cc");
  GenerateServiceClass(p);
  GenerateStubInterface(p);
  GenerateStubClass(p);
  p->Print(vars_,
           R"cc(static std::unique_ptr<Stub> NewStub(std::shared_ptr<::brokrpc::Channel> channel);
           )cc");
  p->Outdent();
  p->Print("};\n");
}

void ServiceGenerator::GenerateServiceClass(Printer* p) const {
  p->Print(vars_, R"cc(// The server side: subclass it, override the methods you serve, and register
                       // an instance
                       // with ::brokrpc::Server::RegisterService. Methods run on the handler pool,
                       // many at once.
                       class Service : public ::brokrpc::Service {
                        public:
                         Service();
                         ~Service() override;
  )cc");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    if (IsFireAndForget(m)) {
      PrintComment(p, CommentBlock(m));
      p->Print(v, R"cc(virtual ::brokrpc::ConsumeResult $Method$(::brokrpc::ServerContext* context,
                                                                 const $Request$* message);
      )cc");
    } else {
      PrintComment(p, CommentBlock(m));
      p->Print(v, R"cc(virtual ::brokrpc::Status $Method$(::brokrpc::ServerContext* context,
                                                          const $Request$* request,
                                                          $Response$* response);
      )cc");
    }
  }
  p->Outdent();
  p->Print("};\n\n");
}

void ServiceGenerator::GenerateStubMethods(Printer* p, bool pure) const {
  Vars base = vars_;
  base["tail"] = pure ? " = 0" : " override";
  base["virtual"] = pure ? "virtual " : "";
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    v["tail"] = base["tail"];
    v["virtual"] = base["virtual"];
    if (IsFireAndForget(m)) {
      PrintComment(p, CommentBlock(m));
      p->Print(v, R"cc(// Fire-and-forget: OK once the broker confirmed and routed the message.
                       $virtual$::brokrpc::Status $Method$(::brokrpc::ClientContext* context,
                                                           const $Request$& message) $tail$;
                       $virtual$std::future<::brokrpc::Status> $AsyncMethod$(
                           ::brokrpc::ClientContext* context, const $Request$& message) $tail$;
      )cc");
    } else {
      PrintComment(p, CommentBlock(m));
      p->Print(v, R"cc($virtual$::brokrpc::Status $Method$(::brokrpc::ClientContext* context,
                                                           const $Request$& request,
                                                           $Response$* response) $tail$;
                       $virtual$std::future<::brokrpc::StatusOr<$Response$>> $AsyncMethod$(
                           ::brokrpc::ClientContext* context, const $Request$& request) $tail$;
                       // `on_done` runs once, on a handler-pool thread.
                       $virtual$void $AsyncMethod$(
                           ::brokrpc::ClientContext* context, const $Request$& request,
                           std::function<void(::brokrpc::StatusOr<$Response$>)> on_done) $tail$;
      )cc");
    }
  }
}

void ServiceGenerator::GenerateStubInterface(Printer* p) const {
  p->Print(vars_, R"cc(// The client side as an interface (for mocks in tests).
                       class StubInterface {
                        public:
                         virtual ~StubInterface() = default;
  )cc");
  p->Indent();
  GenerateStubMethods(p, /*pure=*/true);
  p->Outdent();
  p->Print("};\n\n");
}

void ServiceGenerator::GenerateStubClass(Printer* p) const {
  PrintComment(p, CommentBlock(service_));
  p->Print(vars_, R"cc(// The client side. Thread-safe; the ClientContext of a call must outlive it.
                       class Stub final : public StubInterface {
                        public:
                         explicit Stub(std::shared_ptr<::brokrpc::Channel> channel);
  )cc");
  p->Indent();
  GenerateStubMethods(p, /*pure=*/false);
  p->Print("\nconst std::shared_ptr<::brokrpc::Channel>& channel() const { return channel_; }\n");
  p->Outdent();
  p->Print(R"cc(
    private:
    std::shared_ptr<::brokrpc::Channel> channel_;
    }
    ;
  )cc");
}

void ServiceGenerator::GenerateSpec(Printer* p) const {
  const auto& options = service_->options();
  Vars v = vars_;
  v["exchange"] = ExchangeLiteral(options.HasExtension(brokrpc::spec::v1::exchange)
                                      ? &options.GetExtension(brokrpc::spec::v1::exchange)
                                      : nullptr);
  p->Print(v, R"cc(// x-arguments of the exchange and queue options are carried over (the Python
                   // generator
                   // drops them), so that e.g. x-queue-type: quorum takes effect.
                   const ::brokrpc::ServiceSpec& $Service$::spec() {
                     static const ::brokrpc::ServiceSpec* const kSpec = new ::brokrpc::ServiceSpec {
                       .full_name = $full_name$, .package = $package$, .exchange = $exchange$, .methods = {
  )cc");
  p->Indent();
  p->Indent();
  p->Indent();
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i), R"cc(::brokrpc::MethodSpec{
                                                          .name = $method_name$,
                                                          .routing_key = $routing_key$,
                                                          .kind = ::brokrpc::MethodKind::$kind$,
                                                          .request_type = $request_type$,
                                                          .response_type = $response_type$,
                                                          .queue = $queue$,
                                                      },
    )cc");
  }
  p->Outdent();
  p->Outdent();
  p->Outdent();
  p->Outdent();
  p->Print(R"cc(}
                ,
                }
                ;
                return *kSpec;
                }
  )cc");
}

void ServiceGenerator::GenerateDefinitions(Printer* p) const {
  GenerateSpec(p);
  p->Print(vars_, "$Service$::Service::Service() : ::brokrpc::Service($Service$::spec()) {\n");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    if (IsFireAndForget(m)) {
      p->Print(v, R"cc(AddFireAndForgetHandler<$Request$>($kIndex$,
                                                          [this](::brokrpc::ServerContext* context,
                                                                 const $Request$* message) {
                                                            return this->$Method$(context, message);
                                                          });
      )cc");
    } else {
      p->Print(v, R"cc(AddUnaryHandler<$Request$, $Response$>(
                           $kIndex$, [this](::brokrpc::ServerContext* context,
                                            const $Request$* request, $Response$* response) {
                             return this->$Method$(context, request, response);
                           });
      )cc");
    }
  }
  p->Outdent();
  p->Print(vars_, "}\n\n$Service$::Service::~Service() = default;\n\n");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    if (IsFireAndForget(m)) {
      p->Print(v, R"cc(::brokrpc::ConsumeResult $Service$::Service::$Method$(
                           ::brokrpc::ServerContext* /*context*/, const $Request$* /*message*/) {
                         return ::brokrpc::ConsumeResult::Reject(::brokrpc::Status(
                             ::brokrpc::StatusCode::kUnimplemented, $unimplemented$));
                       }
      )cc");
    } else {
      p->Print(
          v,
          R"cc(::brokrpc::Status $Service$::Service::$Method$(::brokrpc::ServerContext* /*context*/,
                                                              const $Request$* /*request*/,
                                                              $Response$* /*response*/) {
                 return ::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$);
               }
          )cc");
    }
  }
  p->Print(vars_, R"cc($Service$::Stub::Stub(std::shared_ptr<::brokrpc::Channel> channel)
                           : channel_(std::move(channel)) {}
  )cc");
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    if (IsFireAndForget(m)) {
      p->Print(v,
               R"cc(::brokrpc::Status $Service$::Stub::$Method$(::brokrpc::ClientContext* context,
                                                                const $Request$& message) {
                      return ::brokrpc::internal::BlockingFireAndForget(channel_.get(), spec(),
                                                                        $kIndex$, context, message);
                    }

                    std::future<::brokrpc::Status> $Service$::Stub::$AsyncMethod$(
                        ::brokrpc::ClientContext* context, const $Request$& message) {
                      return ::brokrpc::internal::AsyncFireAndForget(channel_.get(), spec(),
                                                                     $kIndex$, context, message);
                    }
               )cc");
    } else {
      p->Print(v,
               R"cc(::brokrpc::Status $Service$::Stub::$Method$(::brokrpc::ClientContext* context,
                                                                const $Request$& request,
                                                                $Response$* response) {
                      return ::brokrpc::internal::BlockingUnaryCall(
                          channel_.get(), spec(), $kIndex$, context, request, response);
                    }

                    std::future<::brokrpc::StatusOr<$Response$>> $Service$::Stub::$AsyncMethod$(
                        ::brokrpc::ClientContext* context, const $Request$& request) {
                      return ::brokrpc::internal::AsyncUnaryCall<$Request$, $Response$>(
                          channel_.get(), spec(), $kIndex$, context, request);
                    }

                    void $Service$::Stub::$AsyncMethod$(
                        ::brokrpc::ClientContext* context, const $Request$& request,
                        std::function<void(::brokrpc::StatusOr<$Response$>)> on_done) {
                      ::brokrpc::internal::CallbackUnaryCall<$Request$, $Response$>(
                          channel_.get(), spec(), $kIndex$, context, request, std::move(on_done));
                    }
               )cc");
    }
  }
  p->Print(vars_, R"cc(std::unique_ptr<$Service$::Stub> $Service$::NewStub(
                           std::shared_ptr<::brokrpc::Channel> channel) {
                         return std::make_unique<Stub>(std::move(channel));
                       }
  )cc");
}

}  // namespace brokrpc::plugin
