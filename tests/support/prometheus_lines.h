// Checks a Prometheus text exposition (format 0.0.4) line by line: the line grammar, TYPE
// before a family's samples, histogram buckets cumulative with +Inf equal to _count.
#ifndef BROKRPC_TESTS_SUPPORT_PROMETHEUS_LINES_H_
#define BROKRPC_TESTS_SUPPORT_PROMETHEUS_LINES_H_

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace brokrpc::testing {

// Empty when `text` is well formed, else the first problem with its line.
inline std::string PrometheusTextProblem(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  static const std::regex kType(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::string kLabel = R"([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")";
  static const std::regex kSample("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(" + kLabel + "(?:," + kLabel +
                                  ")*)?\\})? ([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]Inf|"
                                  "NaN)( -?[0-9]+)?$");
  static const std::regex kLe(R"re(le="([^"]*)")re");
  std::map<std::string, std::string> types;
  // Histogram series (name + labels without le) -> last bucket value.
  std::map<std::string, double> last_bucket;
  std::map<std::string, double> inf_bucket;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto where = [&](const std::string& what) {
      return "line " + std::to_string(n) + ": " + what + ": " + line;
    };
    if (line.empty()) continue;
    std::smatch m;
    if (line.rfind("# HELP", 0) == 0) {
      if (!std::regex_match(line, kHelp)) return where("bad HELP");
      continue;
    }
    if (line.rfind("# TYPE", 0) == 0) {
      if (!std::regex_match(line, m, kType)) return where("bad TYPE");
      if (types.count(m[1])) return where("TYPE twice");
      types[m[1]] = m[2];
      continue;
    }
    if (line[0] == '#') continue;
    if (!std::regex_match(line, m, kSample)) return where("not a sample line");
    std::string name = m[1];
    std::string labels = m[3];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          types.count(name.substr(0, name.size() - s.size())) &&
          types[name.substr(0, name.size() - s.size())] == "histogram") {
        family = name.substr(0, name.size() - s.size());
      }
    }
    if (!types.count(family)) return where("sample before its TYPE");
    double value = std::stod(m[4].str() == "+Inf" ? "inf" : m[4].str());
    if (types[family] == "histogram" && name == family + "_bucket") {
      std::smatch le;
      if (!std::regex_search(labels, le, kLe)) return where("bucket without le");
      std::string key = family + "{" + std::regex_replace(labels, kLe, "") + "}";
      if (last_bucket.count(key) && value < last_bucket[key]) return where("bucket decreases");
      last_bucket[key] = value;
      if (le[1] == "+Inf") inf_bucket[key] = value;
    } else if (types[family] == "histogram" && name == family + "_count") {
      std::string key = family + "{" + labels + (labels.empty() ? "" : ",") + "}";
      if (!inf_bucket.count(key) || inf_bucket[key] != value) return where("_count != +Inf bucket");
    }
  }
  return "";
}

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_SUPPORT_PROMETHEUS_LINES_H_
