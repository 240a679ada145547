// FrameAssembler: AMQP content frames (method, header, body) assembled into messages.
#ifndef BROKRPC_SRC_AMQP_FRAME_ASSEMBLER_H_
#define BROKRPC_SRC_AMQP_FRAME_ASSEMBLER_H_

#include <amqp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "brokrpc/message.h"

namespace brokrpc::internal {

// A message assembled from a basic.deliver or basic.return method frame, a header frame and
// body frames.
struct Content {
  bool is_return = false;
  int reply_code = 0;  // basic.return only
  std::string reply_text;
  Message message;
  size_t body_size = 0;
  size_t received = 0;
  bool have_header = false;
};

// Assembles one message per channel at a time from rabbitmq-c's decoded frames. A body larger
// than max_message_size is dropped as it arrives (not held): the message completes with its
// properties, an empty body and, for a delivery, `oversized` set. Not thread-safe (lives on the
// transport's I/O thread).
class FrameAssembler {
 public:
  explicit FrameAssembler(size_t max_message_size) : max_message_size_(max_message_size) {}

  // basic.deliver on `channel`: a delivery starts (replacing an unfinished message there);
  // `delivery_tag` is the tag it is handed out with.
  void StartDelivery(uint16_t channel, const amqp_basic_deliver_t& deliver, uint64_t delivery_tag);
  // basic.return on `channel`: a returned message starts.
  void StartReturn(uint16_t channel, const amqp_basic_return_t& ret);
  // A header or body frame: returns the message it completes, if any. Frames of other types,
  // and content frames on a channel with no message started, are ignored.
  std::optional<Content> OnFrame(const amqp_frame_t& frame);
  // Drops the unfinished message on `channel` (it closed).
  void Forget(uint16_t channel) { contents_.erase(channel); }
  // Drops every unfinished message (the connection is gone).
  void Clear() { contents_.clear(); }
  size_t unfinished() const { return contents_.size(); }

 private:
  std::optional<Content> OnHeader(uint16_t channel, const amqp_frame_t& frame);
  std::optional<Content> OnBody(uint16_t channel, const amqp_frame_t& frame);

  const size_t max_message_size_;
  std::unordered_map<uint16_t, Content> contents_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_FRAME_ASSEMBLER_H_
