// Generator: protoc-gen-brokrpc-cpp's CodeGenerator.
#ifndef BROKRPC_PLUGIN_GENERATOR_H_
#define BROKRPC_PLUGIN_GENERATOR_H_

#include <google/protobuf/compiler/code_generator.h>

#include <string>

namespace brokrpc::plugin {

// Parses the parameters, validates each file, and writes <stem>.brokrpc.pb.{h,cc}.
class Generator : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;

  uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_GENERATOR_H_
