// ServiceGenerator: the C++ code of one service — declarations (header) and definitions (.cc).
#ifndef BROKRPC_PLUGIN_SERVICE_GENERATOR_H_
#define BROKRPC_PLUGIN_SERVICE_GENERATOR_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/printer.h>

#include <map>
#include <string>

namespace brokrpc::plugin {

// Writes one service: its declaration into the header and its definitions into the .cc.
// The generated shape is documented at the top of service_generator.cc.
class ServiceGenerator {
 public:
  explicit ServiceGenerator(const google::protobuf::ServiceDescriptor* service);
  ServiceGenerator(const ServiceGenerator&) = delete;
  ServiceGenerator& operator=(const ServiceGenerator&) = delete;

  void GenerateDeclaration(google::protobuf::io::Printer* p) const;
  void GenerateDefinitions(google::protobuf::io::Printer* p) const;
  // Mock<Service>Stub: a gMock implementation of StubInterface (the mocks=true header).
  void GenerateMock(google::protobuf::io::Printer* p) const;

 private:
  using Vars = std::map<std::string, std::string>;
  Vars MethodVars(const google::protobuf::MethodDescriptor* method, int index) const;
  void GenerateServiceClass(google::protobuf::io::Printer* p) const;
  // Service::MethodsServedBy<Impl>(): which methods a subclass overrides.
  void GenerateServedBy(google::protobuf::io::Printer* p) const;
  void GenerateStubInterface(google::protobuf::io::Printer* p) const;
  void GenerateStubClass(google::protobuf::io::Printer* p) const;
  void GenerateStubMethods(google::protobuf::io::Printer* p, bool pure) const;
  void GenerateSpec(google::protobuf::io::Printer* p) const;

  const google::protobuf::ServiceDescriptor* service_;
  Vars vars_;
};

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_SERVICE_GENERATOR_H_
