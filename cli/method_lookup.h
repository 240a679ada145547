// Finding a service or method of a schema by name, with errors that list what exists.
#ifndef BROKRPC_CLI_METHOD_LOOKUP_H_
#define BROKRPC_CLI_METHOD_LOOKUP_H_

#include <google/protobuf/descriptor.h>

#include <string>

#include "brokrpc/status_or.h"
#include "schema.h"

namespace brokrpc::cli {

// A method named "pkg.Service/Method" or "pkg.Service.Method". NOT_FOUND listing the services
// (unknown service) or the service's methods (unknown method).
StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(Schema& schema,
                                                               const std::string& name);

// "a, b, c": the full names of the schema's services.
std::string ServiceNames(Schema& schema);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_METHOD_LOOKUP_H_
