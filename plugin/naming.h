// Naming rules: wire names (equal to the Python generator's), C++ names, literals, comments.
#ifndef BROKRPC_PLUGIN_NAMING_H_
#define BROKRPC_PLUGIN_NAMING_H_

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

namespace brokrpc::plugin {

// "/" + package + "/" + Service + "/" + Method, proto names verbatim.
std::string RoutingKey(const google::protobuf::MethodDescriptor* method);
// The (brokrpc.spec.v1.queue) name option, else the routing key.
std::string QueueName(const google::protobuf::MethodDescriptor* method);
// True when the method's output type is brokrpc.spec.v1.Void (fire-and-forget).
bool IsFireAndForget(const google::protobuf::MethodDescriptor* method);
bool IsVoid(const google::protobuf::Descriptor* message);

// "::pkg::Outer_Inner": protobuf's own C++ name of a message.
std::string CppType(const google::protobuf::Descriptor* message);
// The C++ class name of a service: its proto name, with "_" appended when that is a C++ keyword
// or the name of a class nested in it (Service, Stub, StubInterface, RoutingKeys, QueueNames,
// MethodIndex), which C++ forbids.
std::string CppServiceName(const std::string& proto_name);
// The C++ name of a method: its proto name, with "_" appended when that is a C++ keyword or would
// clash with a member of the generated classes (Service, Stub, StubInterface, channel_).
std::string CppMethodName(const std::string& proto_name);
bool IsCppKeyword(const std::string& name);
// The namespace parts of the generated classes: the package's, then `services_namespace`.
std::vector<std::string> NamespaceParts(const google::protobuf::FileDescriptor* file,
                                        const std::string& services_namespace);

// A C++ string literal (with quotes) holding `s` exactly.
std::string CppStringLiteral(const std::string& s);
// "dir/name" for "dir/name.proto".
std::string StripProto(const std::string& filename);
// An include guard for the generated header of `filename`.
std::string HeaderGuard(const std::string& filename);

// The proto comments of a descriptor (leading detached, leading, trailing), as "// " lines.
template <typename Descriptor>
std::string CommentBlock(const Descriptor* descriptor);
std::string FormatComments(const google::protobuf::SourceLocation& location);

template <typename Descriptor>
std::string CommentBlock(const Descriptor* descriptor) {
  google::protobuf::SourceLocation location;
  if (!descriptor->GetSourceLocation(&location)) return "";
  return FormatComments(location);
}

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_NAMING_H_
