#include "options.h"

#include <cctype>
#include <vector>

#include "naming.h"

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

// "name" or "outer::inner": usable after `namespace`.
bool IsNamespace(const std::string& s) {
  size_t start = 0;
  while (true) {
    size_t end = s.find("::", start);
    std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0])) || IsCppKeyword(part)) {
      return false;
    }
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    if (end == std::string::npos) return true;
    start = end + 2;
  }
}

// Text that can sit between the quotes of an #include.
bool IsIncludeText(const std::string& s) {
  for (char c : s) {
    if (c == '"' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

bool ParseOptions(const std::string& parameter, Options* options, std::string* error) {
  for (const std::string& item : Split(parameter, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if ((key == "message_header_extension" || key == "runtime_include_prefix") &&
        !IsIncludeText(value)) {
      *error = "parameter " + key + ": '" + value + "' cannot be part of an #include path";
      return false;
    }
    if (key == "services_namespace") {
      if (!value.empty() && !IsNamespace(value)) {
        *error = "parameter services_namespace: '" + value +
                 "' is not a C++ namespace name (e.g. rpc or outer::inner)";
        return false;
      }
      options->services_namespace = value;
    } else if (key == "message_header_extension") {
      options->message_header_extension = value;
    } else if (key == "runtime_include_prefix") {
      options->runtime_include_prefix = value;
      if (!value.empty() && value.back() != '/') options->runtime_include_prefix += '/';
    } else if (key == "mocks") {
      if (value != "true" && value != "false") {
        *error = "parameter mocks: '" + value + "' is neither true nor false";
        return false;
      }
      options->mocks = value == "true";
    } else if (key == "no-parallel" || key == "debug") {
      // The Python plugin's flags: accepted so one option string serves both.
    } else {
      *error = "unknown parameter '" + key +
               "' (known: services_namespace, message_header_extension, "
               "runtime_include_prefix, mocks, no-parallel, debug)";
      return false;
    }
  }
  return true;
}

}  // namespace brokrpc::plugin
