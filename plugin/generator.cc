#include "generator.h"

#include <iostream>

#include "brokrpc/spec/v1/amqp.pb.h"
#include "brokrpc/spec/v1/consumer.pb.h"
#include "file_generator.h"
#include "options.h"
#include "validation.h"

namespace brokrpc::plugin {

bool Generator::Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                         google::protobuf::compiler::GeneratorContext* context,
                         std::string* error) const {
  // Referencing the extensions keeps their registration linked in, so the options of the
  // request's descriptors are parsed as (brokrpc.spec.v1.exchange) / (brokrpc.spec.v1.queue).
  (void)brokrpc::spec::v1::exchange;
  (void)brokrpc::spec::v1::queue;
  (void)brokrpc::spec::v1::consumer;
  Options options;
  if (!ParseOptions(parameter, &options, error)) return false;
  if (!ValidateFile(file, error)) return false;
  std::cerr << Warnings(file);
  FileGenerator(file, options).Generate(context);
  return true;
}

}  // namespace brokrpc::plugin
