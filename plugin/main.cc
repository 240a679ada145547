// protoc-gen-brokrpc-cpp: generates brokrpc C++ services and stubs (see README.md).
#include <google/protobuf/compiler/plugin.h>

#include "generator.h"

int main(int argc, char* argv[]) {
  brokrpc::plugin::Generator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
