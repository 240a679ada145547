#include "options.h"

#include <vector>

namespace brokrpc::plugin {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

bool ParseOptions(const std::string& parameter, Options* options, std::string* error) {
  for (const std::string& item : Split(parameter, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "services_namespace") {
      options->services_namespace = value;
    } else if (key == "message_header_extension") {
      options->message_header_extension = value;
    } else if (key == "runtime_include_prefix") {
      options->runtime_include_prefix = value;
      if (!value.empty() && value.back() != '/') options->runtime_include_prefix += '/';
    } else if (key == "no-parallel" || key == "debug") {
      // The Python plugin's flags: accepted so one option string serves both.
    } else {
      *error = "unknown parameter '" + key +
               "' (known: services_namespace, message_header_extension, "
               "runtime_include_prefix, no-parallel, debug)";
      return false;
    }
  }
  return true;
}

}  // namespace brokrpc::plugin
