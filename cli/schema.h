// Schema: the protobuf descriptors the tool works from — .proto files (--proto with -I),
// descriptor sets (--descriptor-set), and what is compiled in (brokrpc.spec.v1 and the
// google.protobuf well-known types, so imports of those need no -I).
#ifndef BROKRPC_CLI_SCHEMA_H_
#define BROKRPC_CLI_SCHEMA_H_

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <string>
#include <vector>

#include "brokrpc/status_or.h"

namespace brokrpc::cli {

// Where the descriptors come from (the command-line options). Value type; thread-compatible.
struct SchemaSources {
  std::vector<std::string> proto_files{};
  std::vector<std::string> import_paths{};
  std::vector<std::string> descriptor_sets{};

  bool empty() const { return proto_files.empty() && descriptor_sets.empty(); }
};

// A descriptor pool built from SchemaSources, and a factory for messages of its types. Not
// thread-safe to load; its lookups and messages may be used from any thread afterwards.
class Schema {
 public:
  // Parses every source; INVALID_ARGUMENT with protoc-style "file:line:col: error" lines when a
  // file does not parse or link, NOT_FOUND when a file is missing.
  // `files`: more files, as a descriptor set would give them (e.g. from reflection).
  static StatusOr<std::unique_ptr<Schema>> Load(
      const SchemaSources& sources,
      const std::vector<google::protobuf::FileDescriptorProto>& files = {});

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema();

  // The files named by the sources (every file of a descriptor set or of `files`), in order.
  const std::vector<const google::protobuf::FileDescriptor*>& files() const { return files_; }
  // Every service of those files, in order.
  std::vector<const google::protobuf::ServiceDescriptor*> Services() const;
  // A message type by full name (schema types first, then the compiled-in ones); null if none.
  const google::protobuf::Descriptor* FindMessage(const std::string& full_name);
  // A service by full name; null if none.
  const google::protobuf::ServiceDescriptor* FindService(const std::string& full_name);
  // A new, empty message of `type` (a type of this schema's pool).
  std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type);

 private:
  class ErrorCollector;
  Schema();
  // Loads a file of the compiled-in descriptors into the pool when `symbol` is one of them.
  void LoadCompiledIn(const std::string& symbol);

  std::unique_ptr<ErrorCollector> errors_;
  google::protobuf::compiler::DiskSourceTree source_tree_;
  google::protobuf::SimpleDescriptorDatabase set_db_;
  google::protobuf::DescriptorPoolDatabase compiled_db_;
  google::protobuf::MergedDescriptorDatabase fallback_db_;
  google::protobuf::compiler::SourceTreeDescriptorDatabase source_db_;
  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_;
  std::vector<const google::protobuf::FileDescriptor*> files_;
};

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_SCHEMA_H_
