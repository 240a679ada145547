// FileGenerator: <stem>.brokrpc.pb.h and <stem>.brokrpc.pb.cc for one .proto file (and, with
// mocks=true, <stem>.brokrpc.mock.h).
#ifndef BROKRPC_PLUGIN_FILE_GENERATOR_H_
#define BROKRPC_PLUGIN_FILE_GENERATOR_H_

#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/printer.h>

#include <string>

#include "options.h"
#include "service_generator.h"

namespace brokrpc::plugin {

// Both files are always written, also for a file without services (build systems then know
// their outputs in advance); such files hold only the banner and the includes. Each file includes
// the standard headers its code uses (StdIncludes), and the runtime only when it has services.
class FileGenerator {
 public:
  FileGenerator(const google::protobuf::FileDescriptor* file, const Options& options);

  void Generate(google::protobuf::compiler::GeneratorContext* context) const;

 private:
  void GenerateHeader(google::protobuf::compiler::GeneratorContext* context) const;
  void GenerateSource(google::protobuf::compiler::GeneratorContext* context) const;
  void GenerateMockHeader(google::protobuf::compiler::GeneratorContext* context) const;
  // Prints each service with `print`, a blank line after each, inside the file's namespaces
  // (nothing when the file has no service).
  using PrintService = void (ServiceGenerator::*)(google::protobuf::io::Printer*) const;
  void PrintServices(google::protobuf::io::Printer* p, PrintService print) const;
  // The header's code after its includes (the services' declarations).
  std::string HeaderBody() const;

  const google::protobuf::FileDescriptor* file_;
  const Options& options_;
};

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_FILE_GENERATOR_H_
