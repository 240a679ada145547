#include "schema.h"

#include <fmt/format.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "brokrpc/spec/v1/amqp.pb.h"
#include "brokrpc/spec/v1/call.pb.h"
#include "brokrpc/spec/v1/consumer.pb.h"
#include "google/rpc/code.pb.h"

namespace brokrpc::cli {

namespace pb = google::protobuf;

namespace {

// Touches one type of each compiled-in brokrpc proto, so that the linker keeps them and their
// files are in the generated pool (imports of them then need no -I).
void LinkCompiledIn() {
  (void)brokrpc::spec::v1::ExchangeOptions::descriptor();
  (void)brokrpc::spec::v1::Error::descriptor();
  (void)brokrpc::spec::v1::Void::descriptor();
  (void)google::rpc::Code_descriptor();
}

}  // namespace

// Gathers protoc-style error lines from parsing and linking.
class Schema::ErrorCollector : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& filename, int line, int column,
                const std::string& message) override {
    if (line >= 0) {
      lines_.push_back(fmt::format("{}:{}:{}: {}", filename, line + 1, column + 1, message));
    } else {
      lines_.push_back(fmt::format("{}: {}", filename, message));
    }
  }
  // The errors so far, one per line; clears them.
  std::string Take() {
    std::string out;
    for (const auto& l : lines_) out += (out.empty() ? "" : "\n") + l;
    lines_.clear();
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

Schema::Schema()
    : errors_(std::make_unique<ErrorCollector>()),
      compiled_db_(*pb::DescriptorPool::generated_pool()),
      fallback_db_(&set_db_, &compiled_db_),
      source_db_(&source_tree_, &fallback_db_),
      pool_(&source_db_, source_db_.GetValidationErrorCollector()),
      factory_(&pool_) {
  source_db_.RecordErrorsTo(errors_.get());
  LinkCompiledIn();
}

Schema::~Schema() = default;

StatusOr<std::unique_ptr<Schema>> Schema::Load(const SchemaSources& sources,
                                               const std::vector<pb::FileDescriptorProto>& files) {
  std::unique_ptr<Schema> schema(new Schema());
  std::vector<std::string> dirs = sources.import_paths;
  if (dirs.empty()) {
    // Without -I: each --proto file's own directory, then the current one.
    for (const auto& file : sources.proto_files) {
      size_t slash = file.rfind('/');
      std::string dir = slash == std::string::npos ? "." : file.substr(0, slash == 0 ? 1 : slash);
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    }
    if (std::find(dirs.begin(), dirs.end(), ".") == dirs.end()) dirs.push_back(".");
  }
  for (const auto& dir : dirs) schema->source_tree_.MapPath("", dir);

  std::vector<std::string> names;
  for (const auto& path : sources.descriptor_sets) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFoundError(fmt::format("cannot read descriptor set '{}'", path));
    std::stringstream bytes;
    bytes << in.rdbuf();
    pb::FileDescriptorSet set;
    if (!set.ParseFromString(bytes.str())) {
      return InvalidArgumentError(fmt::format(
          "'{}' is not a FileDescriptorSet (make one with protoc --descriptor_set_out=FILE "
          "--include_imports)",
          path));
    }
    for (const auto& file : set.file()) {
      pb::FileDescriptorProto existing;
      if (schema->set_db_.FindFileByName(file.name(), &existing)) continue;
      if (!schema->set_db_.Add(file)) {
        return InvalidArgumentError(fmt::format("'{}': cannot add {}", path, file.name()));
      }
      names.push_back(file.name());
    }
  }
  for (const auto& file : files) {
    pb::FileDescriptorProto existing;
    if (schema->set_db_.FindFileByName(file.name(), &existing)) continue;
    if (!schema->set_db_.Add(file)) {
      return InvalidArgumentError(fmt::format("cannot add {}", file.name()));
    }
    names.push_back(file.name());
  }
  for (const auto& file : sources.proto_files) {
    // A path on disk under an import directory becomes its import name ("dir/x.proto" with
    // -I dir is "x.proto"); otherwise the name is taken as an import name.
    std::string virtual_file, shadowing;
    auto mapped = schema->source_tree_.DiskFileToVirtualFile(file, &virtual_file, &shadowing);
    names.push_back(mapped == pb::compiler::DiskSourceTree::SUCCESS ? virtual_file : file);
  }
  for (const auto& name : names) {
    const pb::FileDescriptor* fd = schema->pool_.FindFileByName(name);
    if (fd == nullptr) {
      std::string why = schema->errors_->Take();
      if (why.empty()) why = fmt::format("{}: not found", name);
      return InvalidArgumentError(fmt::format("cannot load {}:\n{}", name, why));
    }
    schema->files_.push_back(fd);
  }
  return schema;
}

std::vector<const pb::ServiceDescriptor*> Schema::Services() const {
  std::vector<const pb::ServiceDescriptor*> out;
  for (const auto* file : files_) {
    for (int i = 0; i < file->service_count(); ++i) out.push_back(file->service(i));
  }
  return out;
}

void Schema::LoadCompiledIn(const std::string& symbol) {
  const pb::FileDescriptor* compiled =
      pb::DescriptorPool::generated_pool()->FindFileContainingSymbol(symbol);
  if (compiled != nullptr) pool_.FindFileByName(compiled->name());
}

const pb::Descriptor* Schema::FindMessage(const std::string& full_name) {
  if (const auto* d = pool_.FindMessageTypeByName(full_name)) return d;
  LoadCompiledIn(full_name);
  return pool_.FindMessageTypeByName(full_name);
}

const pb::ServiceDescriptor* Schema::FindService(const std::string& full_name) {
  if (const auto* d = pool_.FindServiceByName(full_name)) return d;
  LoadCompiledIn(full_name);
  return pool_.FindServiceByName(full_name);
}

std::unique_ptr<pb::Message> Schema::NewMessage(const pb::Descriptor* type) {
  return std::unique_ptr<pb::Message>(factory_.GetPrototype(type)->New());
}

}  // namespace brokrpc::cli
