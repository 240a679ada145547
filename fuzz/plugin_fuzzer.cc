// libFuzzer target: arbitrary bytes as a CodeGeneratorRequest for protoc-gen-brokrpc-cpp.
// Whatever the request, the generator must answer (code or an error), never crash.
#include <google/protobuf/compiler/plugin.h>
#include <google/protobuf/compiler/plugin.pb.h>
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "generator.h"

// protobuf logs every invalid UTF-8 string it parses: silence it (fuzzing speed).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  google::protobuf::compiler::CodeGeneratorRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  brokrpc::plugin::Generator generator;
  google::protobuf::compiler::CodeGeneratorResponse response;
  std::string error;
  google::protobuf::compiler::GenerateCode(request, generator, &response, &error);
  return 0;
}
