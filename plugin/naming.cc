#include "naming.h"

#include <google/protobuf/compiler/cpp/names.h>

#include <cctype>
#include <cstdio>
#include <set>

#include "brokrpc/spec/v1/amqp.pb.h"

namespace brokrpc::plugin {
namespace {

const std::set<std::string>& Keywords() {
  static const std::set<std::string>* const kKeywords =
      new std::set<std::string>{"alignas",       "alignof",     "and",
                                "and_eq",        "asm",         "auto",
                                "bitand",        "bitor",       "bool",
                                "break",         "case",        "catch",
                                "char",          "char8_t",     "char16_t",
                                "char32_t",      "class",       "compl",
                                "concept",       "const",       "consteval",
                                "constexpr",     "constinit",   "const_cast",
                                "continue",      "co_await",    "co_return",
                                "co_yield",      "decltype",    "default",
                                "delete",        "do",          "double",
                                "dynamic_cast",  "else",        "enum",
                                "explicit",      "export",      "extern",
                                "false",         "float",       "for",
                                "friend",        "goto",        "if",
                                "inline",        "int",         "long",
                                "mutable",       "namespace",   "new",
                                "noexcept",      "not",         "not_eq",
                                "nullptr",       "operator",    "or",
                                "or_eq",         "private",     "protected",
                                "public",        "register",    "reinterpret_cast",
                                "requires",      "return",      "short",
                                "signed",        "sizeof",      "static",
                                "static_assert", "static_cast", "struct",
                                "switch",        "template",    "this",
                                "thread_local",  "throw",       "true",
                                "try",           "typedef",     "typeid",
                                "typename",      "union",       "unsigned",
                                "using",         "virtual",     "void",
                                "volatile",      "wchar_t",     "while",
                                "xor",           "xor_eq"};
  return *kKeywords;
}

void AppendLines(const std::string& text, std::string* out) {
  size_t start = 0;
  std::string body = text;
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  if (body.empty()) return;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r' ||
                             line.back() == '\\')) {
      line.pop_back();  // a trailing backslash would continue the comment onto the next line
    }
    if (!line.empty() && line.front() == ' ') line.erase(0, 1);
    *out += line.empty() ? "//\n" : "// " + line + "\n";
    start = end + 1;
  }
}

}  // namespace

std::string RoutingKey(const google::protobuf::MethodDescriptor* method) {
  return "/" + method->service()->file()->package() + "/" + method->service()->name() + "/" +
         method->name();
}

std::string QueueName(const google::protobuf::MethodDescriptor* method) {
  const auto& options = method->options();
  if (options.HasExtension(brokrpc::spec::v1::queue)) {
    const auto& queue = options.GetExtension(brokrpc::spec::v1::queue);
    if (queue.has_name()) return queue.name();
  }
  return RoutingKey(method);
}

bool IsVoid(const google::protobuf::Descriptor* message) {
  return message->full_name() == "brokrpc.spec.v1.Void";
}

bool IsFireAndForget(const google::protobuf::MethodDescriptor* method) {
  return IsVoid(method->output_type());
}

std::string CppType(const google::protobuf::Descriptor* message) {
  return google::protobuf::compiler::cpp::QualifiedClassName(message);
}

bool IsCppKeyword(const std::string& name) { return Keywords().count(name) > 0; }

std::string CppServiceName(const std::string& proto_name) {
  static const std::set<std::string>* const kReserved = new std::set<std::string>{
      "Service", "Stub", "StubInterface", "RoutingKeys", "QueueNames", "MethodIndex"};
  return IsCppKeyword(proto_name) || kReserved->count(proto_name) > 0 ? proto_name + "_"
                                                                      : proto_name;
}

std::string CppMethodName(const std::string& proto_name) {
  static const std::set<std::string>* const kReserved =
      new std::set<std::string>{"Service", "Stub", "StubInterface", "channel_", "MethodsServedBy"};
  return IsCppKeyword(proto_name) || kReserved->count(proto_name) > 0 ? proto_name + "_"
                                                                      : proto_name;
}

std::vector<std::string> NamespaceParts(const google::protobuf::FileDescriptor* file,
                                        const std::string& services_namespace) {
  std::vector<std::string> parts;
  const std::string& package = file->package();
  size_t start = 0;
  while (start < package.size()) {
    size_t dot = package.find('.', start);
    if (dot == std::string::npos) dot = package.size();
    parts.push_back(package.substr(start, dot - start));
    start = dot + 1;
  }
  if (!services_namespace.empty()) parts.push_back(services_namespace);
  return parts;
}

std::string CppStringLiteral(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '?':
        out += "\\?";  // no trigraphs
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\%03o", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string StripProto(const std::string& filename) {
  const std::string suffix = ".proto";
  if (filename.size() >= suffix.size() &&
      filename.compare(filename.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return filename.substr(0, filename.size() - suffix.size());
  }
  return filename;
}

std::string HeaderGuard(const std::string& filename) {
  std::string guard = "BROKRPC_GENERATED_";
  for (char c : StripProto(filename)) {
    guard += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                 : '_';
  }
  return guard + "_BROKRPC_PB_H_";
}

std::string FormatComments(const google::protobuf::SourceLocation& location) {
  std::string out;
  for (const auto& detached : location.leading_detached_comments) {
    AppendLines(detached, &out);
    if (!out.empty()) out += "//\n";
  }
  AppendLines(location.leading_comments, &out);
  AppendLines(location.trailing_comments, &out);
  return out;
}

}  // namespace brokrpc::plugin
