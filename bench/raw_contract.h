// What the raw rabbitmq-c baseline puts on the wire beyond a bare ping-pong, flag by flag, so the
// bench can run it both as the plain baseline (all off) and as "raw with brokrpc's contract" (the
// defaults: what brokrpc's unary call does, docs/wire-protocol.md), and follow the runtime as it
// changes. Plain data; copy it freely between threads.
#ifndef BROKRPC_BENCH_RAW_CONTRACT_H_
#define BROKRPC_BENCH_RAW_CONTRACT_H_

#include <string>

namespace bench {

// The contract flags of the raw client and server.
struct RawContract {
  // Publisher confirms on the client's channel; a call completes once both its confirm and its
  // reply have arrived.
  bool request_confirms = true;
  // Requests published mandatory (a basic.return aborts the bench: nobody should miss them).
  bool mandatory = true;
  // Requests carry expiration (the 30 s default timeout in ms) and header x-brokrpc-deadline
  // (int64 epoch ms); the server skips expired requests and copies expiration onto the reply.
  bool deadline = true;
  // uuid-hex correlation_id and message_id, timestamp, AMQP type = the message's full name on
  // requests and replies, a "response.<uuid>" reply queue; the server rejects a request without
  // reply_to or correlation_id.
  bool ids = true;
  // The server enables confirms and acks a request only when its reply is confirmed.
  bool reply_confirms = false;
  // The client acks every reply (else it consumes its reply queue with no_ack).
  bool reply_queue_acks = false;

  // The plain baseline: every flag off (no confirms, no_ack reply consumer, server acks the
  // request after publishing its reply).
  static RawContract Plain() { return {false, false, false, false, false, false}; }

  // "request_confirms=1 mandatory=1 ..." for the bench's header.
  std::string Describe() const;
};

}  // namespace bench

#endif  // BROKRPC_BENCH_RAW_CONTRACT_H_
