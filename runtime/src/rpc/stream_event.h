// The role-neutral content of a stream envelope: what the stream codecs encode and decode and
// the stream state machine consumes and produces (docs/wire-protocol.md, "streaming").
#ifndef BROKRPC_SRC_RPC_STREAM_EVENT_H_
#define BROKRPC_SRC_RPC_STREAM_EVENT_H_

#include <google/protobuf/any.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "brokrpc/status.h"

namespace brokrpc::internal {

// Which end of a stream: the client sends StreamRequest envelopes, the server StreamResponse.
enum class StreamRole { kClient, kServer };

// One envelope's event (the `event` oneof of StreamRequest / StreamResponse). A plain value; not
// synchronised.
struct StreamEvent {
  enum class Kind { kNone, kStart, kPart, kEnd, kCredit, kPing };
  Kind kind = Kind::kNone;                        // kNone: no event, or one this end ignores
  std::vector<google::protobuf::Any> payloads{};  // kStart (client's), kPart
  bool last = false;                              // kStart (client's): already half-closed
  uint32_t window = 0;                            // kStart: the sender's receive window
  Status status{};                                // kEnd
  uint32_t grant = 0;                             // kCredit
};

// One whole envelope: the stream id (16 bytes), the index in its direction, the event. A plain
// value; not synchronised.
struct StreamEnvelope {
  std::string uuid{};
  uint64_t index = 0;
  StreamEvent event{};
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_EVENT_H_
