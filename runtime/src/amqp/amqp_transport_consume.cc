// AmqpTransport's consumers: subscribing, settling (acks batched per loop pass), replies with
// their ack, cancelling and releasing.
#include <fmt/format.h>

#include <memory>
#include <utility>
#include <vector>

#include "amqp/amqp_transport.h"

namespace brokrpc::internal {

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
      amqp_basic_consume(conn_->state(), *ch, BytesView(c.request.queue), amqp_empty_bytes, 0,
                         c.request.no_ack ? 1 : 0, c.request.exclusive ? 1 : 0, amqp_empty_table);
  BROKRPC_RETURN_IF_ERROR(CheckReply(op, *ch));
  c.channel = *ch;
  c.tag = ToString(ok->consumer_tag);
  c.acks.Reset();
  return OkStatus();
}

void AmqpTransport::Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  if (Direct([&] { DoSettle(consumer_id, tag, settlement); })) return;
  Post([this, consumer_id, tag, settlement] { DoSettle(consumer_id, tag, settlement); });
}

uint64_t AmqpTransport::LiveTag(const ConsumerState& c, uint64_t tag) const {
  if (c.channel == 0 || !conn_ || c.request.no_ack) return 0;
  if ((tag >> kTagGenerationShift) != (generation_ & 0xFFFF)) return 0;  // from a lost connection
  return tag & ((uint64_t{1} << kTagGenerationShift) - 1);
}

void AmqpTransport::DoSettle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  auto it = consumers_.find(consumer_id);
  if (it == consumers_.end()) return;
  ConsumerState& c = it->second;
  uint64_t amqp_tag = LiveTag(c, tag);
  if (amqp_tag == 0) return;
  if (settlement == Settlement::kAck) {
    QueueAck(consumer_id, c, amqp_tag);
    return;
  }
  c.acks.Forget(amqp_tag);
  int rc =
      amqp_basic_reject(conn_->state(), c.channel, amqp_tag, settlement == Settlement::kRequeue);
  CheckWrite("settle delivery", rc).IgnoreError();
}

void AmqpTransport::QueueAck(uint64_t consumer_id, ConsumerState& c, uint64_t amqp_tag) {
  if (!c.acks.has_pending()) acks_due_.push_back(consumer_id);
  c.acks.Ack(amqp_tag);
}

void AmqpTransport::FlushAcks() {
  if (acks_due_.empty()) return;
  std::vector<uint64_t> due;
  due.swap(acks_due_);
  for (uint64_t id : due) {
    auto it = consumers_.find(id);
    if (it != consumers_.end()) FlushAcks(it->second);
  }
}

void AmqpTransport::FlushAcks(ConsumerState& c) {
  if (!c.acks.has_pending()) return;
  for (const AckBatcher::AckFrame& f : c.acks.Flush()) {
    if (!conn_ || c.channel == 0) return;
    int rc = amqp_basic_ack(conn_->state(), c.channel, f.tag, f.multiple ? 1 : 0);
    if (!CheckWrite("settle delivery", rc).ok()) return;
  }
}

void AmqpTransport::ReplyAndAck(uint64_t consumer_id, uint64_t tag, PublishRequest reply,
                                PublishDone done) {
  if (Direct([&] { DoReplyAndAck(consumer_id, tag, reply, done); })) return;
  auto shared =
      std::make_shared<std::pair<PublishRequest, PublishDone>>(std::move(reply), std::move(done));
  if (!Post([this, consumer_id, tag, shared] {
        DoReplyAndAck(consumer_id, tag, shared->first, shared->second);
      })) {
    shared->second(PublishOutcome::ConnectionLost(NotConnected("reply")));
  }
}

void AmqpTransport::DoReplyAndAck(uint64_t consumer_id, uint64_t tag, PublishRequest& reply,
                                  PublishDone& done) {
  if (blocked_) {
    Hold([this, consumer_id, tag, r = std::move(reply), d = std::move(done)]() mutable {
      DoReplyAndAck(consumer_id, tag, r, d);
    });
    return;
  }
  auto it = consumers_.find(consumer_id);
  uint64_t amqp_tag = it == consumers_.end() ? 0 : LiveTag(it->second, tag);
  if (amqp_tag == 0) {
    // The request's channel or connection is gone, so the broker has requeued the request: a
    // reply now would answer a request that is delivered again.
    done(PublishOutcome::ConnectionLost(
        UnavailableError("reply: the request's channel is gone (the request was requeued)")));
    return;
  }
  if (reply.message.body.size() > url_.max_message_size) {
    done(Oversized("reply", reply.message));
    return;
  }
  Status written = WriteMessage(it->second.channel, reply, "reply");
  if (!written.ok()) {
    done(PublishOutcome::ConnectionLost(written));
    return;
  }
  QueueAck(consumer_id, it->second, amqp_tag);
  done(PublishOutcome::Confirmed());
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
        FlushAcks(c);
        if (c.channel == 0 || !conn_) return OkStatus();
        uint16_t ch = c.channel;
        std::string op = fmt::format("cancel consumer of queue '{}'", c.request.queue);
        amqp_basic_cancel(conn_->state(), ch, BytesView(c.tag));
        return CheckReply(op, ch);
      },
      OkStatus());
}

void AmqpTransport::ReleaseConsumer(uint64_t consumer_id) {
  auto release = [this, consumer_id] {
    auto it = consumers_.find(consumer_id);
    if (it == consumers_.end()) return;
    FlushAcks(it->second);  // what was handled is acked; the rest goes back to the queue
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
