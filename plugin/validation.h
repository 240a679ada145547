// Validation: what the generator refuses, with messages naming the file and the element.
#ifndef BROKRPC_PLUGIN_VALIDATION_H_
#define BROKRPC_PLUGIN_VALIDATION_H_

#include <google/protobuf/descriptor.h>

#include <string>

namespace brokrpc::plugin {

// AMQP short strings (routing keys, queue and exchange names) hold at most this many bytes.
inline constexpr size_t kMaxShortString = 255;

// False with `error` set ("method Foo.Bar: ..."; protoc prints it after "foo.proto: ") when `file`
// cannot be generated: services without a package, Void as a request type, streaming
// fire-and-forget methods, names too long for AMQP (including the reply queue a Python client would
// declare), two services or two methods of a service with the same C++ name (after escaping).
bool ValidateFile(const google::protobuf::FileDescriptor* file, std::string* error);

// Problems worth a warning but not an error (one line each): a fanout or headers exchange on a
// service with replying methods, where routing keys are ignored and replies reach every queue.
std::string Warnings(const google::protobuf::FileDescriptor* file);

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_VALIDATION_H_
