// StdIncludes: the standard headers that generated code uses, found in the code itself, so that
// a generated file includes what it uses and nothing else.
#ifndef BROKRPC_PLUGIN_STD_INCLUDES_H_
#define BROKRPC_PLUGIN_STD_INCLUDES_H_

#include <set>
#include <string>

namespace brokrpc::plugin {

// The headers ("<memory>", ...) declaring the std:: names that `code` uses outside "//" comment
// lines, minus those in `provided` (the includes of the header a .cc implements). Knows the names
// the generator writes (method_shape.cc, service_generator.cc, spec_literals.cc); a std:: name it
// does not know is ignored, so the plugin tests compile every golden file to catch a new one.
std::set<std::string> StdIncludes(const std::string& code,
                                  const std::set<std::string>& provided = {});

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_STD_INCLUDES_H_
