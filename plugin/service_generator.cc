// The code generated for one service. For `service Svc` in package `pkg.v1` (file `dir/f.proto`),
// in namespace pkg::v1 (plus `services_namespace`), dir/f.brokrpc.pb.h declares:
//
//   // <service comments>
//   class Svc final {                          // name + "_" if a C++ keyword or a nested name
//    public:
//     static constexpr std::string_view service_full_name();        // "pkg.v1.Svc"
//     struct RoutingKeys { static constexpr std::string_view kM; };  // "/pkg.v1/Svc/M"
//     struct QueueNames { static constexpr std::string_view kM; };   // queue option, else key
//     enum MethodIndex : std::size_t { kMIndex = 0, ... };           // declaration order
//     static const ::brokrpc::ServiceSpec& spec();                   // defined in the .cc
//     class Service : public ::brokrpc::Service {                    // the server side
//       Service();  // registers one typed handler per method (Add*Handler)
//       template <typename Impl> static std::vector<bool> MethodsServedBy();  // overridden ones
//       // non-pure virtuals; the defaults answer UNIMPLEMENTED, "method <key> is not implemented"
//       virtual Status M(ServerContext*, const Req*, Resp*);               // unary
//       virtual ConsumeResult F(ServerContext*, const Req*);               // returns Void
//       virtual Status S(ServerContext*, const Req*, ServerWriter<Resp>*);  // server streaming
//       virtual Status C(ServerContext*, ServerReader<Req>*, Resp*);        // client streaming
//       virtual Status B(ServerContext*, ServerReaderWriter<Resp, Req>*);   // bidi streaming
//     };
//     class StubInterface { pure virtuals of every Stub method };      // for mocks
//     class Stub final : public StubInterface {                       // the client side
//       explicit Stub(std::shared_ptr<Channel>);
//       Status M(ClientContext*, const Req&, Resp*);                     // unary
//       std::future<StatusOr<Resp>> AsyncM(ClientContext*, const Req&);
//       void AsyncM(ClientContext*, const Req&, std::function<void(StatusOr<Resp>)>);
//       Status F(ClientContext*, const Req&);                            // Void: OK once confirmed
//       std::future<Status> AsyncF(ClientContext*, const Req&);
//       std::unique_ptr<ClientReader<Resp>> S(ClientContext*, const Req&);
//       std::unique_ptr<ClientWriter<Req, Resp>> C(ClientContext*, Resp*);
//       std::unique_ptr<ClientReaderWriter<Req, Resp>> B(ClientContext*);
//       const std::shared_ptr<Channel>& channel() const;
//     };
//     static std::unique_ptr<Stub> NewStub(std::shared_ptr<Channel>);
//   };
//
// Method names are the proto names ("k" + proto name for the constants, "Async" + proto name for
// the async variants); "_" is appended to a C++ keyword and to Service, Stub, StubInterface,
// channel_ and MethodsServedBy. Message types are protobuf's qualified C++ names
// (::pkg::v1::Outer_Inner). Proto comments go onto the service class and each method.
// Stub methods call ::brokrpc::internal::{BlockingUnaryCall, AsyncUnaryCall, CallbackUnaryCall,
// BlockingFireAndForget, AsyncFireAndForget, *StreamingCall} with Svc::spec() and the index.
//
// With mocks=true, dir/f.brokrpc.mock.h declares `class MockSvcStub : public Svc::StubInterface`
// with a gMock MOCK_METHOD per StubInterface method (GenerateMock).
//
// dir/f.brokrpc.pb.cc defines spec() as a function-local static ServiceSpec: the exchange option
// (fields present in the option only; HEADER -> kHeaders), then one MethodSpec per method (name,
// routing key, kind, message full names — response empty for Void — and the queue: the option's
// present fields, the name always set). Both x-arguments maps are carried over in sorted key
// order; the Python generator drops them.
#include "service_generator.h"

#include "brokrpc/spec/v1/amqp.pb.h"
#include "method_shape.h"
#include "naming.h"
#include "spec_literals.h"

// The code templates below are raw strings delimited by "tmpl": clang-format leaves them alone
// (it would reformat "cc" ones as C++, which $variables$ are not).

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
  vars_["Service"] = CppServiceName(service->name());
  vars_["full_name"] = CppStringLiteral(service->full_name());
  vars_["package"] = CppStringLiteral(service->file()->package());
}

ServiceGenerator::Vars ServiceGenerator::MethodVars(const MethodDescriptor* m, int index) const {
  Vars v = vars_;
  v["Method"] = CppMethodName(m->name());
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
  v["kind"] = MethodTextOf(ShapeOf(m)).kind;
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
  p->Print(vars_, R"tmpl(class $Service$ final {
 public:
  static constexpr std::string_view service_full_name() { return $full_name$; }

  // The routing key of each method: "/" + package + "/" + service + "/" + method.
  struct RoutingKeys {
)tmpl");
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
  p->Print("enum MethodIndex : std::size_t {\n");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i), "$kIndex$ = $index$,\n");
  }
  p->Outdent();
  p->Print("};\n\n");
  p->Print(
      R"tmpl(// The exchange, methods and queues of this service, as the runtime serves and calls them.
static const ::brokrpc::ServiceSpec& spec();

)tmpl");
  GenerateServiceClass(p);
  GenerateStubInterface(p);
  GenerateStubClass(p);
  p->Print(vars_,
           R"tmpl(static std::unique_ptr<Stub> NewStub(std::shared_ptr<::brokrpc::Channel> channel);
)tmpl");
  p->Outdent();
  p->Print("};\n");
}

void ServiceGenerator::GenerateServiceClass(Printer* p) const {
  p->Print(
      vars_,
      R"tmpl(// The server side: subclass it, override the methods you serve, and register an instance
// with ::brokrpc::Server::RegisterService, which consumes the queues of the overridden methods
// only. Methods run on the handler pool, many at once.
class Service : public ::brokrpc::Service {
 public:
  Service();
  ~Service() override;

)tmpl");
  p->Indent();
  GenerateServedBy(p);
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    PrintComment(p, CommentBlock(m));
    p->Print(v, (MethodTextOf(ShapeOf(m)).ServerSignature() + "\n").c_str());
  }
  p->Outdent();
  p->Print("};\n\n");
}

// A method counts as overridden by Impl when &Impl::M is not the base's member pointer: Impl
// (or a class between) redeclares it. An override that is not public makes &Impl::M
// inaccessible here; that also counts as overridden.
void ServiceGenerator::GenerateServedBy(Printer* p) const {
  p->Print(
      R"tmpl(// The methods (by MethodIndex) that `Impl` overrides: ::brokrpc::Server::RegisterService(Impl*)
// consumes only their queues, so that servers overriding different methods split them. Every
// method when Impl is this class (the dynamic type is not known).
template <typename Impl>
static std::vector<bool> MethodsServedBy() {
  if constexpr (std::is_same_v<Impl, Service>) {
    return std::vector<bool>($count$, true);
  } else {
    return {
)tmpl",
      "count", std::to_string(service_->method_count()));
  for (int i = 0; i < 3; ++i) p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    p->Print(MethodVars(service_->method(i), i),
             "!requires { requires std::is_same_v<decltype(&Impl::$Method$), "
             "decltype(&Service::$Method$)>; },\n");
  }
  for (int i = 0; i < 3; ++i) p->Outdent();
  p->Print("    };\n  }\n}\n\n");
}

void ServiceGenerator::GenerateStubMethods(Printer* p, bool pure) const {
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars v = MethodVars(m, i);
    PrintComment(p, CommentBlock(m));
    for (const StubMethod& stub : MethodTextOf(ShapeOf(m)).stub) {
      if (!stub.note.empty()) p->Print("// $note$\n", "note", stub.note);
      p->Print(v, (stub.Declaration(pure) + "\n").c_str());
    }
  }
}

void ServiceGenerator::GenerateMock(Printer* p) const {
  Vars v = vars_;
  v["Mock"] = "Mock" + service_->name() + "Stub";
  p->Print(
      v,
      R"tmpl(// A gMock mock of $Service$::StubInterface, for unit tests of code that takes a StubInterface&.
// Thread-safe as every gMock mock: set expectations first, then call from any thread.
class $Mock$ : public $Service$::StubInterface {
 public:
)tmpl");
  p->Indent();
  for (int i = 0; i < service_->method_count(); ++i) {
    const MethodDescriptor* m = service_->method(i);
    Vars mv = MethodVars(m, i);
    for (const StubMethod& stub : MethodTextOf(ShapeOf(m)).stub) {
      p->Print(mv, (stub.MockMethod() + "\n").c_str());
    }
  }
  p->Outdent();
  p->Print("};\n");
}

void ServiceGenerator::GenerateStubInterface(Printer* p) const {
  p->Print(vars_, R"tmpl(// The client side as an interface (for mocks in tests).
class StubInterface {
 public:
  virtual ~StubInterface() = default;

)tmpl");
  p->Indent();
  GenerateStubMethods(p, /*pure=*/true);
  p->Outdent();
  p->Print("};\n\n");
}

void ServiceGenerator::GenerateStubClass(Printer* p) const {
  p->Print(vars_,
           R"tmpl(// The client side. Thread-safe; the ClientContext of a call must outlive it.
class Stub final : public StubInterface {
 public:
  explicit Stub(std::shared_ptr<::brokrpc::Channel> channel);

)tmpl");
  p->Indent();
  GenerateStubMethods(p, /*pure=*/false);
  p->Print("\nconst std::shared_ptr<::brokrpc::Channel>& channel() const { return channel_; }\n");
  p->Outdent();
  p->Print(R"tmpl(
 private:
  std::shared_ptr<::brokrpc::Channel> channel_;
};

)tmpl");
}

}  // namespace brokrpc::plugin
