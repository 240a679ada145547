#include "std_includes.h"

#include <cctype>
#include <map>
#include <string_view>

namespace brokrpc::plugin {

namespace {

// The std:: names generated code may use, and their headers.
const std::map<std::string_view, std::string_view>& Headers() {
  static const auto* const kHeaders = new std::map<std::string_view, std::string_view>{
      {"function", "<functional>"},   {"future", "<future>"},           {"int64_t", "<cstdint>"},
      {"is_same_v", "<type_traits>"}, {"make_unique", "<memory>"},      {"move", "<utility>"},
      {"numeric_limits", "<limits>"}, {"shared_ptr", "<memory>"},       {"size_t", "<cstddef>"},
      {"string", "<string>"},         {"string_view", "<string_view>"}, {"unique_ptr", "<memory>"},
      {"vector", "<vector>"},
  };
  return *kHeaders;
}

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Adds the headers of the std:: names on one line of code.
void ScanLine(std::string_view line, std::set<std::string>* out) {
  constexpr std::string_view kStd = "std::";
  for (size_t at = line.find(kStd); at != std::string_view::npos; at = line.find(kStd, at + 1)) {
    if (at > 0 && (IsIdentifierChar(line[at - 1]) || line[at - 1] == ':')) continue;  // a::std::
    size_t begin = at + kStd.size();
    size_t end = begin;
    while (end < line.size() && IsIdentifierChar(line[end])) ++end;
    auto it = Headers().find(line.substr(begin, end - begin));
    if (it != Headers().end()) out->insert(std::string(it->second));
  }
}

}  // namespace

std::set<std::string> StdIncludes(const std::string& code, const std::set<std::string>& provided) {
  std::set<std::string> found;
  std::string_view rest = code;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    size_t first = line.find_first_not_of(' ');
    if (first != std::string_view::npos && line.substr(first).starts_with("//")) continue;
    // "std::vector" in a string literal (an x-argument) would add a needless, harmless include.
    ScanLine(line, &found);
  }
  std::set<std::string> out;
  for (const std::string& header : found) {
    if (!provided.contains(header)) out.insert(header);
  }
  return out;
}

}  // namespace brokrpc::plugin
