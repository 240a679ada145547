// AmqpTransport's consumers: subscribing, settling, cancelling and releasing.
#include <fmt/format.h>

#include <utility>

#include "amqp/amqp_transport.h"

namespace brokrpc::internal {
namespace {

amqp_bytes_t Bytes(const std::string& s) { return BytesView(s); }

}  // namespace

StatusOr<uint64_t> AmqpTransport::StartConsumer(ConsumeRequest request) {
  if (!connected_) return NotConnected("consume");
  uint64_t id = next_consumer_++;
  return Call<StatusOr<uint64_t>>(
      [this, id, &request]() -> StatusOr<uint64_t> {
        if (!conn_) return NotConnected("consume");
        ConsumerState state;
        state.request = std::move(request);
        Status s = Subscribe(id, state);
        if (!s.ok()) return s;
        consumers_.emplace(id, std::move(state));
        return id;
      },
      NotConnected("consume"));
}

Status AmqpTransport::Subscribe(uint64_t id, ConsumerState& c) {
  std::string op = fmt::format("consume queue '{}'", c.request.queue);
  auto ch = OpenChannel({ChannelUse::Kind::kConsumer, id});
  if (!ch.ok()) return ch.status().WithContext(op);
  amqp_basic_qos(conn_->state(), *ch, 0, c.request.prefetch_count, 0);
  BROKRPC_RETURN_IF_ERROR(CheckReply(op + ": basic.qos", *ch));
  amqp_basic_consume_ok_t* ok =
      amqp_basic_consume(conn_->state(), *ch, Bytes(c.request.queue), amqp_empty_bytes, 0, 0,
                         c.request.exclusive ? 1 : 0, amqp_empty_table);
  BROKRPC_RETURN_IF_ERROR(CheckReply(op, *ch));
  c.channel = *ch;
  c.tag = ToString(ok->consumer_tag);
  return OkStatus();
}

void AmqpTransport::Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  if (OnTransportThread()) {
    DoSettle(consumer_id, tag, settlement);
    return;
  }
  Post([this, consumer_id, tag, settlement] { DoSettle(consumer_id, tag, settlement); });
}

void AmqpTransport::DoSettle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  auto it = consumers_.find(consumer_id);
  if (it == consumers_.end() || it->second.channel == 0 || !conn_) return;
  if ((tag >> kTagGenerationShift) != (generation_ & 0xFFFF)) return;  // from a lost connection
  uint64_t amqp_tag = tag & ((uint64_t{1} << kTagGenerationShift) - 1);
  uint16_t ch = it->second.channel;
  int rc = settlement == Settlement::kAck ? amqp_basic_ack(conn_->state(), ch, amqp_tag, 0)
                                          : amqp_basic_reject(conn_->state(), ch, amqp_tag,
                                                              settlement == Settlement::kRequeue);
  CheckWrite("settle delivery", rc).IgnoreError();
}

Status AmqpTransport::CancelConsumer(uint64_t consumer_id) {
  return Call<Status>(
      [this, consumer_id] {
        auto it = consumers_.find(consumer_id);
        if (it == consumers_.end()) return OkStatus();
        ConsumerState& c = it->second;
        if (c.cancelled) return OkStatus();
        c.cancelled = true;
        if (c.gone || c.channel == 0 || !conn_) return OkStatus();
        uint16_t ch = c.channel;
        std::string op = fmt::format("cancel consumer of queue '{}'", c.request.queue);
        amqp_basic_cancel(conn_->state(), ch, Bytes(c.tag));
        return CheckReply(op, ch);
      },
      OkStatus());
}

void AmqpTransport::ReleaseConsumer(uint64_t consumer_id) {
  auto release = [this, consumer_id] {
    auto it = consumers_.find(consumer_id);
    if (it == consumers_.end()) return;
    uint16_t ch = it->second.channel;
    consumers_.erase(it);
    if (ch != 0) CloseChannel(ch);
  };
  if (OnTransportThread()) {
    release();
  } else {
    Post(release);
  }
}

}  // namespace brokrpc::internal
