// The untyped call paths over a Channel that the generated stubs (codegen.h) and the `brokrpc`
// tool use: requests and replies as encoded Messages. Unstable: call the generated stubs.
// IWYU pragma: private, include "brokrpc/channel.h"
#ifndef BROKRPC_IMPL_CALL_PATHS_H_
#define BROKRPC_IMPL_CALL_PATHS_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "brokrpc/channel.h"
#include "brokrpc/client_context.h"
#include "brokrpc/message.h"
#include "brokrpc/rpc_spec.h"
#include "brokrpc/status.h"

namespace google::protobuf {
class Message;
}

namespace brokrpc::internal {

class StreamCore;

// Completion of an asynchronous call: the status and (when OK) the reply message.
using UnaryDone = std::function<void(Status status, Message* reply)>;

// A unary call that blocks until the reply, the deadline or cancellation. `request` carries
// the encoded payload.
Status CallUnary(Channel& channel, const ServiceSpec& service, size_t method_index,
                 ClientContext* context, Message request, Message* reply);
// `done` runs once on a handler-pool thread.
void StartUnary(Channel& channel, const ServiceSpec& service, size_t method_index,
                ClientContext* context, Message request, UnaryDone done);
// For completions that run no user code (codegen.h's AsyncUnaryCall: decode and fulfil a
// promise): like StartUnary, but `done` runs once on the thread that settles the call — the
// thread that read the reply (the I/O thread, or a thread blocked in a synchronous call on the
// same connection, which reads replies itself), the timer thread at the deadline, the
// canceller, or the caller for an early failure — without the hand-off to the handler pool.
// `done` must be quick and must not block. With client interceptors `done` runs on a pool
// thread, as for StartUnary.
void StartUnaryInline(Channel& channel, const ServiceSpec& service, size_t method_index,
                      ClientContext* context, Message request, UnaryDone done);
// Fire-and-forget: OK once the broker confirmed the message (and routed it: mandatory).
Status Publish(Channel& channel, const ServiceSpec& service, size_t method_index,
               ClientContext* context, Message message);
void StartPublish(Channel& channel, const ServiceSpec& service, size_t method_index,
                  ClientContext* context, Message message, std::function<void(Status)> done);
// Opens a stream of method `method_index` (a streaming kind). `initial` (may be null) is sent
// with the opening; `last` half-closes at once (server streaming). Errors end the returned
// stream: its Finish() reports them.
std::shared_ptr<StreamCore> OpenStream(Channel& channel, const ServiceSpec& service,
                                       size_t method_index, ClientContext* context,
                                       const google::protobuf::Message* initial, bool last);

}  // namespace brokrpc::internal

#endif  // BROKRPC_IMPL_CALL_PATHS_H_
