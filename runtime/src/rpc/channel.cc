// Channel: the public face of ChannelImpl.
#include "brokrpc/channel.h"

#include "brokrpc/impl/call_paths.h"
#include "rpc/channel_impl.h"

namespace brokrpc {

Channel::Channel(std::shared_ptr<internal::ChannelImpl> impl) : impl_(std::move(impl)) {}
Channel::~Channel() = default;
Status Channel::Connect() { return impl_->Connect(); }
const std::shared_ptr<Broker>& Channel::broker() const { return impl_->broker(); }
const ChannelOptions& Channel::options() const { return impl_->options(); }
uint64_t Channel::dropped_replies() const { return impl_->dropped_replies(); }

std::shared_ptr<Channel> CreateChannel(std::shared_ptr<Broker> broker, ChannelOptions options) {
  return std::make_shared<Channel>(
      std::make_shared<internal::ChannelImpl>(std::move(broker), std::move(options)));
}

}  // namespace brokrpc

namespace brokrpc::internal {

// The one way from a Channel to its ChannelImpl (Channel befriends it).
struct ChannelAccess {
  static ChannelImpl& Impl(Channel& channel) { return *channel.impl_; }
};

Status CallUnary(Channel& channel, const ServiceSpec& service, size_t method,
                 ClientContext* context, Message request, Message* reply) {
  return ChannelAccess::Impl(channel).CallUnary(service, method, context, std::move(request),
                                                reply);
}
void StartUnary(Channel& channel, const ServiceSpec& service, size_t method, ClientContext* context,
                Message request, UnaryDone done) {
  ChannelAccess::Impl(channel).StartUnary(service, method, context, std::move(request),
                                          std::move(done), /*on_pool=*/true);
}
void StartUnaryInline(Channel& channel, const ServiceSpec& service, size_t method,
                      ClientContext* context, Message request, UnaryDone done) {
  ChannelAccess::Impl(channel).StartUnary(service, method, context, std::move(request),
                                          std::move(done), /*on_pool=*/false);
}
Status Publish(Channel& channel, const ServiceSpec& service, size_t method, ClientContext* context,
               Message message) {
  return ChannelAccess::Impl(channel).Publish(service, method, context, std::move(message));
}
void StartPublish(Channel& channel, const ServiceSpec& service, size_t method,
                  ClientContext* context, Message message, std::function<void(Status)> done) {
  ChannelAccess::Impl(channel).StartPublish(service, method, context, std::move(message),
                                            std::move(done));
}
std::shared_ptr<StreamCore> OpenStream(Channel& channel, const ServiceSpec& service, size_t method,
                                       ClientContext* context,
                                       const google::protobuf::Message* initial, bool last) {
  return ChannelAccess::Impl(channel).OpenStream(service, method, context, initial, last);
}

}  // namespace brokrpc::internal
