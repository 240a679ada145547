// The five shapes a method's generated code takes, from its streaming flags and output type.
#ifndef BROKRPC_PLUGIN_METHOD_SHAPE_H_
#define BROKRPC_PLUGIN_METHOD_SHAPE_H_

#include <google/protobuf/descriptor.h>

#include "naming.h"

namespace brokrpc::plugin {

enum class Shape { kUnary, kFireAndForget, kServerStreaming, kClientStreaming, kBidi };

inline Shape ShapeOf(const google::protobuf::MethodDescriptor* m) {
  if (m->client_streaming() && m->server_streaming()) return Shape::kBidi;
  if (m->client_streaming()) return Shape::kClientStreaming;
  if (m->server_streaming()) return Shape::kServerStreaming;
  return IsFireAndForget(m) ? Shape::kFireAndForget : Shape::kUnary;
}

}  // namespace brokrpc::plugin

#endif  // BROKRPC_PLUGIN_METHOD_SHAPE_H_
