// The five shapes a method's generated code takes, from its streaming flags and output type, and
// the text each shape generates (MethodText), built in one place: method_shape.cc.
#ifndef BROKRPC_PLUGIN_METHOD_SHAPE_H_
#define BROKRPC_PLUGIN_METHOD_SHAPE_H_

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "naming.h"

namespace brokrpc::plugin {

enum class Shape { kUnary, kFireAndForget, kServerStreaming, kClientStreaming, kBidi };

inline Shape ShapeOf(const google::protobuf::MethodDescriptor* m) {
  if (m->client_streaming() && m->server_streaming()) return Shape::kBidi;
  if (m->client_streaming()) return Shape::kClientStreaming;
  if (m->server_streaming()) return Shape::kServerStreaming;
  return IsFireAndForget(m) ? Shape::kFireAndForget : Shape::kUnary;
}

// One parameter of a generated function: its type and its name.
struct Param {
  std::string type;
  std::string name;
};

// One client-side (Stub) method of a shape: a note line (may be empty), its signature, and the
// statement its definition runs.
struct StubMethod {
  std::string note;
  std::string ret;
  std::string name;  // $Method$ or $AsyncMethod$
  std::vector<Param> params;
  std::string statement;  // without the ';'

  std::string Params() const;
  // `virtual R M(...) = 0;` (pure) or `R M(...) override;`, one line.
  std::string Declaration(bool pure) const;
  // The gMock MOCK_METHOD line.
  std::string MockMethod() const;
  // The out-of-line definition in the .cc, followed by an empty line.
  std::string Definition() const;
};

// The text of one shape, as Printer templates over ServiceGenerator::MethodVars ($Method$,
// $Request$, $Response$, $Service$, $kIndex$, $AsyncMethod$, $unimplemented$). Plain data; build
// it with MethodTextOf.
struct MethodText {
  const char* kind;  // the ::brokrpc::MethodKind enumerator
  // The server-side virtual: its return type, parameters after the ServerContext, the
  // ::brokrpc::Service::Add*Handler that registers it and what its default body returns.
  std::string server_ret;
  std::vector<Param> server_params;
  std::string add_handler;
  std::string unimplemented;
  std::vector<StubMethod> stub;

  // `virtual R M(ServerContext* context, ...);`, one line.
  std::string ServerSignature() const;
  // The Add*Handler call in Service's constructor.
  std::string Registration() const;
  // The default (UNIMPLEMENTED) definition in the .cc, followed by an empty line.
  std::string DefaultBody() const;
};

// The only switch over Shape.
MethodText MethodTextOf(Shape shape);

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_METHOD_SHAPE_H_
