// Options: the plugin's parameters (--brokrpc-cpp_opt=k=v,flag).
#ifndef BROKRPC_PLUGIN_OPTIONS_H_
#define BROKRPC_PLUGIN_OPTIONS_H_

#include <string>

namespace brokrpc::plugin {

struct Options {
  // An extra namespace inside the package's, for the generated classes.
  std::string services_namespace;
  // The suffix of protoc's C++ message headers.
  std::string message_header_extension = ".pb.h";
  // Where the runtime's headers live ("brokrpc/" -> #include "brokrpc/impl/codegen.h").
  std::string runtime_include_prefix = "brokrpc/";
  // mocks=true: also write <stem>.brokrpc.mock.h with a gMock Mock<Service>Stub per service.
  bool mocks = false;
};

// Parses "k=v,flag,..." into `options`; false with `error` set on an unknown or bad parameter.
// The Python plugin's flags `no-parallel` and `debug` are accepted and ignored, so one option
// string can serve both plugins.
bool ParseOptions(const std::string& parameter, Options* options, std::string* error);

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_OPTIONS_H_
