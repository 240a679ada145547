// The untyped operations behind the typed streams of "brokrpc/stream.h" (implemented over
// runtime/src/rpc/stream_core.h). Unstable: include "brokrpc/stream.h" instead.
// IWYU pragma: private, include "brokrpc/stream.h"
#ifndef BROKRPC_IMPL_STREAM_OPS_H_
#define BROKRPC_IMPL_STREAM_OPS_H_

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include <functional>
#include <optional>

#include "brokrpc/status.h"

namespace brokrpc {

namespace internal {
class StreamCore;
bool StreamWrite(StreamCore& core, const google::protobuf::Message& message);
bool StreamRead(StreamCore& core, google::protobuf::Message* message);
bool StreamWritesDone(StreamCore& core);
Status StreamFinish(StreamCore& core);
void StreamCancel(StreamCore& core);
void StreamReadAsync(StreamCore& core,
                     std::function<void(std::optional<google::protobuf::Any>)> done);
void StreamWriteAsync(StreamCore& core, const google::protobuf::Message& message,
                      std::function<void(bool)> done);
void StreamFinishAsync(StreamCore& core, std::function<void(Status)> done);

// Adapts a typed read callback to the untyped one (an unpack failure counts as the end).
template <typename R>
std::function<void(std::optional<google::protobuf::Any>)> TypedRead(
    std::function<void(std::optional<R>)> done) {
  return [done = std::move(done)](std::optional<google::protobuf::Any> any) {
    if (!any) return done(std::nullopt);
    R message;
    if (!any->UnpackTo(&message)) return done(std::nullopt);
    done(std::move(message));
  };
}
}  // namespace internal

}  // namespace brokrpc

#endif  // BROKRPC_IMPL_STREAM_OPS_H_
