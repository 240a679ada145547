// Stream codecs: each end's encoding of the envelopes it sends and decoding of those its peer
// sends (StreamRequest client -> server, StreamResponse server -> client; docs/wire-protocol.md).
#ifndef BROKRPC_SRC_RPC_STREAM_CODEC_H_
#define BROKRPC_SRC_RPC_STREAM_CODEC_H_

#include <string>
#include <string_view>

#include "rpc/stream_event.h"

namespace brokrpc::internal {

inline constexpr std::string_view kStreamRequestType = "brokrpc.spec.v1.StreamRequest";
inline constexpr std::string_view kStreamResponseType = "brokrpc.spec.v1.StreamResponse";

// The envelope codec of one stream end. Stateless; thread-safe.
class StreamCodec {
 public:
  virtual ~StreamCodec() = default;
  // The codec of `role`'s end (a static instance).
  static const StreamCodec& For(StreamRole role);

  // AMQP type of the envelopes this end sends.
  virtual std::string_view sent_type() const = 0;
  // The body of an envelope this end sends (payloads are moved out of `envelope`). Fields an
  // event does not carry on this end's envelope (a server Start's payloads) are left out.
  virtual std::string Encode(StreamEnvelope& envelope) const = 0;
  // Decodes the body of an envelope from the peer; false when it does not parse. An event this
  // end's envelope type does not know decodes as kNone.
  virtual bool Decode(const std::string& body, StreamEnvelope* out) const = 0;
};

// The client's codec: encodes StreamRequest, decodes StreamResponse. Thread-safe.
class ClientStreamCodec final : public StreamCodec {
 public:
  std::string_view sent_type() const override { return kStreamRequestType; }
  std::string Encode(StreamEnvelope& envelope) const override;
  bool Decode(const std::string& body, StreamEnvelope* out) const override;
};

// The server's codec: encodes StreamResponse, decodes StreamRequest. Thread-safe.
class ServerStreamCodec final : public StreamCodec {
 public:
  std::string_view sent_type() const override { return kStreamResponseType; }
  std::string Encode(StreamEnvelope& envelope) const override;
  bool Decode(const std::string& body, StreamEnvelope* out) const override;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_STREAM_CODEC_H_
