// C++ literals for the wire spec: ExchangeOptions, QueueOptions and their x-arguments.
#ifndef BROKRPC_PLUGIN_SPEC_LITERALS_H_
#define BROKRPC_PLUGIN_SPEC_LITERALS_H_

#include <string>

#include "brokrpc/spec/v1/amqp.pb.h"

namespace brokrpc::plugin {

// "::brokrpc::ExchangeOptions{.name = \"x\", .type = ...}" with only the fields present in the
// option (an absent option gives "::brokrpc::ExchangeOptions{}").
std::string ExchangeLiteral(const brokrpc::spec::v1::ExchangeOptions* option);
// The queue of a method: the option's present fields, and always a name (the option's, else
// the routing key).
std::string QueueLiteral(const brokrpc::spec::v1::QueueOptions* option, const std::string& name);
// "::brokrpc::FieldValue(...)" for one argument value (recursive for lists and maps).
std::string ArgumentLiteral(const brokrpc::spec::v1::ArgumentValue& value);

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_SPEC_LITERALS_H_
