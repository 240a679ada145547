#include "amqp/frame_assembler.h"

#include <utility>

#include "amqp/amqp_properties.h"
#include "base/log.h"

namespace brokrpc::internal {

void FrameAssembler::StartDelivery(uint16_t ch, const amqp_basic_deliver_t& deliver,
                                   uint64_t delivery_tag) {
  const amqp_basic_deliver_t* d = &deliver;
  Content c;
  c.message.exchange = ToString(d->exchange);
  c.message.routing_key = ToString(d->routing_key);
  c.message.delivery = DeliveryInfo{.exchange = c.message.exchange,
                                    .routing_key = c.message.routing_key,
                                    .redelivered = d->redelivered != 0,
                                    .delivery_tag = delivery_tag,
                                    .consumer_tag = ToString(d->consumer_tag)};
  contents_[ch] = std::move(c);
}

void FrameAssembler::StartReturn(uint16_t ch, const amqp_basic_return_t& ret) {
  const amqp_basic_return_t* r = &ret;
  Content c;
  c.is_return = true;
  c.reply_code = r->reply_code;
  c.reply_text = ToString(r->reply_text);
  c.message.exchange = ToString(r->exchange);
  c.message.routing_key = ToString(r->routing_key);
  contents_[ch] = std::move(c);
}

std::optional<Content> FrameAssembler::OnFrame(const amqp_frame_t& frame) {
  switch (frame.frame_type) {
    case AMQP_FRAME_HEADER:
      return OnHeader(frame.channel, frame);
    case AMQP_FRAME_BODY:
      return OnBody(frame.channel, frame);
    default:
      return std::nullopt;
  }
}

std::optional<Content> FrameAssembler::OnHeader(uint16_t ch, const amqp_frame_t& frame) {
  auto it = contents_.find(ch);
  if (it == contents_.end()) return std::nullopt;
  Content& c = it->second;
  c.have_header = true;
  c.body_size = frame.payload.properties.body_size;
  c.message.properties =
      DecodeProperties(*static_cast<amqp_basic_properties_t*>(frame.payload.properties.decoded));
  if (c.body_size > max_message_size_) {
    // Too big: drop the body as it arrives instead of holding it; the consumer sees the
    // properties with `oversized` set and rejects or answers it.
    if (c.message.delivery) c.message.delivery->oversized = true;
    BROKRPC_LOG_WARNING("a {} byte message on '{}' exceeds max_message_size ({} bytes)",
                        c.body_size, c.message.routing_key, max_message_size_);
  } else {
    c.message.body.reserve(c.body_size);
  }
  if (c.body_size == 0) {
    Content done = std::move(c);
    contents_.erase(it);
    return done;
  }
  return std::nullopt;
}

std::optional<Content> FrameAssembler::OnBody(uint16_t ch, const amqp_frame_t& frame) {
  auto it = contents_.find(ch);
  if (it == contents_.end() || !it->second.have_header) return std::nullopt;
  Content& c = it->second;
  const amqp_bytes_t& b = frame.payload.body_fragment;
  c.received += b.len;
  if (c.body_size <= max_message_size_) {
    c.message.body.append(static_cast<const char*>(b.bytes), b.len);
  }
  if (c.received >= c.body_size) {
    Content done = std::move(c);
    contents_.erase(it);
    return done;
  }
  return std::nullopt;
}

}  // namespace brokrpc::internal
