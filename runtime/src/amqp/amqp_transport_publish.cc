// AmqpTransport's publishing: lanes (one channel each, in confirm mode unless created without
// confirms) and publishes.
#include <fmt/format.h>

#include <memory>
#include <utility>

#include "amqp/amqp_transport.h"

namespace brokrpc::internal {
namespace {

// Lane ids of lanes without publisher confirms carry this bit (the mode is fixed at creation and
// known without touching I/O-thread state).
constexpr uint32_t kLaneWithoutConfirms = uint32_t{1} << 31;

}  // namespace

uint32_t AmqpTransport::CreatePublishLane(bool confirms) {
  uint32_t id = next_lane_++;
  return confirms ? id : id | kLaneWithoutConfirms;
}

void AmqpTransport::ReleasePublishLane(uint32_t lane_id) {
  Post([this, lane_id] {
    auto it = lanes_.find(lane_id);
    if (it == lanes_.end()) return;
    uint16_t ch = it->second.channel;
    it->second.confirms.FailAll(
        PublishOutcome::Refused(CancelledError("publish: the publisher was destroyed")));
    lanes_.erase(it);
    if (ch != 0) CloseChannel(ch);
  });
}

void AmqpTransport::Publish(uint32_t lane, PublishRequest request, PublishDone done) {
  if (!connected_) {  // an outage: fail at once instead of queueing behind reconnect attempts
    done(PublishOutcome::ConnectionLost(NotConnected("publish")));
    return;
  }
  if (request.message.body.size() > url_.max_message_size) {
    done(Oversized("publish", request.message));
    return;
  }
  if (Direct([&] { DoPublish(lane, request, done); })) return;
  auto shared =
      std::make_shared<std::pair<PublishRequest, PublishDone>>(std::move(request), std::move(done));
  if (!Post([this, lane, shared] { DoPublish(lane, shared->first, shared->second); })) {
    shared->second(
        PublishOutcome::Refused(UnavailableError("publish: the transport is shut down")));
  }
}

void AmqpTransport::DoPublish(uint32_t lane_id, PublishRequest& request, PublishDone& done) {
  if (!conn_) {
    done(PublishOutcome::ConnectionLost(NotConnected("publish")));
    return;
  }
  if (blocked_) {
    Hold([this, lane_id, r = std::move(request), d = std::move(done)]() mutable {
      DoPublish(lane_id, r, d);
    });
    return;
  }
  const bool confirms = (lane_id & kLaneWithoutConfirms) == 0;
  Lane& lane = lanes_[lane_id];
  if (lane.channel == 0) {
    auto ch = OpenChannel({ChannelUse::Kind::kLane, lane_id});
    if (!ch.ok()) {
      done(conn_ ? PublishOutcome::Refused(ch.status().WithContext("publish"))
                 : PublishOutcome::ConnectionLost(ch.status().WithContext("publish")));
      return;
    }
    if (confirms) {
      amqp_confirm_select(conn_->state(), *ch);
      Status s = CheckReply("publish: confirm.select", *ch);
      if (!s.ok()) {
        done(conn_ ? PublishOutcome::ChannelError(0, s) : PublishOutcome::ConnectionLost(s));
        return;
      }
    }
    lane.channel = *ch;
  }
  Status written = WriteMessage(lane.channel, request, "publish");
  if (!written.ok()) {
    done(PublishOutcome::ConnectionLost(written));
    return;
  }
  if (confirms) {
    lane.confirms.Add(std::move(done), request.message.properties.message_id,
                      listeners_.timing_confirms() ? ConfirmTracker::Clock::now()
                                                   : ConfirmTracker::Clock::time_point{});
  } else {
    done(PublishOutcome::Confirmed());  // written; no confirm will come
  }
}

PublishOutcome AmqpTransport::Oversized(std::string_view operation, const Message& m) const {
  return PublishOutcome::Refused(ResourceExhaustedError(
      fmt::format("{}: the message body is {} bytes, more than max_message_size ({} bytes)",
                  operation, m.body.size(), url_.max_message_size)));
}

Status AmqpTransport::WriteMessage(uint16_t channel, const PublishRequest& request,
                                   std::string_view operation) {
  const Message& m = request.message;
  amqp_basic_properties_t props;
  EncodeProperties(m.properties, &publish_arena_, &props);
  int rc =
      amqp_basic_publish(conn_->state(), channel, BytesView(m.exchange), BytesView(m.routing_key),
                         request.mandatory ? 1 : 0, 0, &props, BytesView(m.body));
  publish_arena_.Reset();
  if (rc == AMQP_STATUS_OK) return OkStatus();
  return CheckWrite(fmt::format("{} to exchange '{}'", operation, m.exchange), rc);
}

}  // namespace brokrpc::internal
