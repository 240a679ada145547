// Where the CLI tests find the tool, the example servers and their schemas (set by CMake).
#ifndef BROKRPC_TESTS_CLI_CLI_PATHS_H_
#define BROKRPC_TESTS_CLI_CLI_PATHS_H_

#include <initializer_list>
#include <string>
#include <vector>

namespace brokrpc::testing {

inline const std::string kCli = BROKRPC_CLI;
inline const std::string kGreeterServer = GREETER_SERVER;
inline const std::string kRouteServer = ROUTE_SERVER;
inline const std::string kExamplesDir = BROKRPC_SOURCE_DIR "/examples";
inline const std::string kGreeterProto = kExamplesDir + "/greeter/greeter.proto";
inline const std::string kGreeterDescriptorSet = GREETER_DESCRIPTOR_SET;

// `brokrpc` followed by `args`.
inline std::vector<std::string> Cli(std::initializer_list<std::string> args) {
  std::vector<std::string> argv{kCli};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_CLI_CLI_PATHS_H_
