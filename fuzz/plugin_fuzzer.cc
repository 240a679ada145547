// libFuzzer target: arbitrary bytes as a CodeGeneratorRequest for protoc-gen-brokrpc-cpp.
// Whatever the request, the generator must answer (code or an error), never crash.
#include <google/protobuf/compiler/plugin.h>
#include <google/protobuf/compiler/plugin.pb.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "generator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  google::protobuf::compiler::CodeGeneratorRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  brokrpc::plugin::Generator generator;
  google::protobuf::compiler::CodeGeneratorResponse response;
  std::string error;
  google::protobuf::compiler::GenerateCode(request, generator, &response, &error);
  return 0;
}
