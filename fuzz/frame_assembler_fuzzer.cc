// libFuzzer target: arbitrary bytes as a sequence of AMQP frames (basic.deliver / basic.return
// methods, content headers with properties decoded by rabbitmq-c, body fragments, other frames)
// on a few channels, fed to brokrpc's FrameAssembler. Every message it completes must be
// consistent: a body over max_message_size dropped (and `oversized` set on a delivery), else
// every byte received kept; a contradiction aborts, which libFuzzer reports. (A broker that
// sends a second header for one message is outside the protocol: then only the memory bound is
// checked.)
#include <amqp.h>
#include <amqp_framing.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "amqp/amqp_properties.h"
#include "amqp/frame_assembler.h"
#include "brokrpc/logging.h"

namespace {

constexpr size_t kMaxMessageSize = 256;
constexpr size_t kMaxFragment = 255;
constexpr int kChannels = 4;

// Reads the fuzz input front to back; past the end it yields zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return offset_ >= size_; }
  uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  uint64_t Number(int bytes) {
    uint64_t n = 0;
    for (int i = 0; i < bytes; ++i) n = (n << 8) | Byte();
    return n;
  }
  // Up to `max` bytes (length from the input), as a view into the input.
  amqp_bytes_t Bytes(size_t max) {
    size_t len = std::min<size_t>(Byte() % (max + 1), size_ - std::min(offset_, size_));
    amqp_bytes_t b{len, len ? const_cast<uint8_t*>(data_ + offset_) : nullptr};
    offset_ += len;
    return b;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

class QuietLogger : public brokrpc::Logger {
 public:
  bool Enabled(brokrpc::LogLevel) const override { return false; }
  void Log(brokrpc::LogLevel, std::string_view) override {}
};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "frame assembler: %s\n", what);
  std::abort();
}

// `headers`: how many header frames the message got.
void Check(const brokrpc::internal::Content& c, int headers) {
  const brokrpc::Message& m = c.message;
  if (c.received < c.body_size) Fail("a message completed before its body");
  if (c.is_return == m.delivery.has_value()) Fail("a return with delivery info, or vice versa");
  if (m.body.size() > c.received) Fail("more body than received");
  if (m.body.size() >= kMaxMessageSize + kMaxFragment) Fail("the body outgrew the limit");
  if (headers != 1) return;
  if (c.body_size > kMaxMessageSize) {
    if (!m.body.empty()) Fail("an oversized body was kept");
    if (m.delivery && !m.delivery->oversized) Fail("an oversized delivery is not marked");
  } else {
    if (m.body.size() != c.received) Fail("body bytes were lost");
    if (m.delivery && m.delivery->oversized) Fail("a delivery within the limit is marked");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    brokrpc::SetLogger(std::make_shared<QuietLogger>());
    return true;
  }();
  (void)quiet;
  brokrpc::internal::FrameAssembler assembler(kMaxMessageSize);
  brokrpc::internal::AmqpArena arena;
  Input in(data, size);
  // Per channel: -1 when no message is being assembled, else the header frames it got.
  int headers[kChannels] = {-1, -1, -1, -1};
  auto feed = [&](const amqp_frame_t& f) {
    int& seen = headers[f.channel];
    if (f.frame_type == AMQP_FRAME_HEADER && seen >= 0) ++seen;
    if (auto done = assembler.OnFrame(f)) {
      if (seen < 1) Fail("a message completed without a header");
      Check(*done, seen);
      seen = -1;
    }
  };
  while (!in.empty()) {
    uint8_t op = in.Byte();
    auto channel = static_cast<uint16_t>(op >> 4 & (kChannels - 1));
    switch (op & 7) {
      case 0: {
        amqp_basic_deliver_t d{};
        d.consumer_tag = in.Bytes(16);
        d.delivery_tag = in.Number(8);
        d.redelivered = in.Byte() & 1;
        d.exchange = in.Bytes(16);
        d.routing_key = in.Bytes(16);
        assembler.StartDelivery(channel, d, d.delivery_tag);
        headers[channel] = 0;
        break;
      }
      case 1: {
        amqp_basic_return_t r{};
        r.reply_code = static_cast<uint16_t>(in.Number(2));
        r.reply_text = in.Bytes(16);
        r.exchange = in.Bytes(16);
        r.routing_key = in.Bytes(16);
        assembler.StartReturn(channel, r);
        headers[channel] = 0;
        break;
      }
      case 2:
      case 3: {  // a content header: body size, then encoded basic properties
        amqp_frame_t f{};
        f.frame_type = AMQP_FRAME_HEADER;
        f.channel = channel;
        f.payload.properties.class_id = AMQP_BASIC_CLASS;
        // Mostly small sizes (bodies that complete), sometimes over the limit or huge.
        f.payload.properties.body_size = (op & 8) ? in.Number(8) : in.Byte() * 2;
        amqp_bytes_t encoded = in.Bytes(255);
        void* decoded = nullptr;
        amqp_basic_properties_t empty{};
        if (amqp_decode_properties(AMQP_BASIC_CLASS, arena.pool(), encoded, &decoded) !=
                AMQP_STATUS_OK ||
            decoded == nullptr) {
          decoded = &empty;
        }
        f.payload.properties.decoded = decoded;
        feed(f);
        break;
      }
      case 4:
      case 5: {
        amqp_frame_t f{};
        f.frame_type = AMQP_FRAME_BODY;
        f.channel = channel;
        f.payload.body_fragment = in.Bytes(kMaxFragment);
        feed(f);
        break;
      }
      case 6: {
        amqp_frame_t f{};
        // Neither header nor body: methods (the transport handles them), heartbeats, junk.
        f.frame_type = static_cast<uint8_t>(in.Byte() % 9);
        if (f.frame_type == AMQP_FRAME_HEADER || f.frame_type == AMQP_FRAME_BODY) {
          f.frame_type = AMQP_FRAME_HEARTBEAT;
        }
        f.channel = channel;
        feed(f);
        break;
      }
      default:
        assembler.Forget(channel);
        headers[channel] = -1;
        break;
    }
  }
  return 0;
}
