#include "call_input.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace brokrpc::cli {

StatusOr<std::string> ReadRequestText(const std::optional<std::string>& data,
                                      const std::string& fallback) {
  if (!data) return fallback;
  if (*data == "@-") {
    std::stringstream in;
    in << std::cin.rdbuf();
    return in.str();
  }
  if (!data->empty() && data->front() == '@') {
    std::ifstream file(data->substr(1), std::ios::binary);
    if (!file) return NotFoundError(fmt::format("cannot read request file '{}'", data->substr(1)));
    std::stringstream in;
    in << file.rdbuf();
    return in.str();
  }
  return *data;
}

std::vector<std::string> NonBlankLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace brokrpc::cli
