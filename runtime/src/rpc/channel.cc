// Channel: the public face of ChannelImpl.
#include "brokrpc/channel.h"

#include "rpc/channel_impl.h"

namespace brokrpc {

Channel::Channel(std::shared_ptr<internal::ChannelImpl> impl) : impl_(std::move(impl)) {}
Channel::~Channel() = default;
Status Channel::Connect() { return impl_->Connect(); }
Status Channel::CallUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                          Message request, Message* reply) {
  return impl_->CallUnary(service, method, context, std::move(request), reply);
}
void Channel::StartUnary(const ServiceSpec& service, size_t method, ClientContext* context,
                         Message request, UnaryDone done) {
  impl_->StartUnary(service, method, context, std::move(request), std::move(done),
                    /*on_pool=*/true);
}
void Channel::StartUnaryInline(const ServiceSpec& service, size_t method, ClientContext* context,
                               Message request, UnaryDone done) {
  impl_->StartUnary(service, method, context, std::move(request), std::move(done),
                    /*on_pool=*/false);
}
Status Channel::Publish(const ServiceSpec& service, size_t method, ClientContext* context,
                        Message message) {
  return impl_->Publish(service, method, context, std::move(message));
}
void Channel::StartPublish(const ServiceSpec& service, size_t method, ClientContext* context,
                           Message message, std::function<void(Status)> done) {
  impl_->StartPublish(service, method, context, std::move(message), std::move(done));
}
std::shared_ptr<internal::StreamCore> Channel::OpenStream(const ServiceSpec& service,
                                                          size_t method_index,
                                                          ClientContext* context,
                                                          const google::protobuf::Message* initial,
                                                          bool last) {
  return impl_->OpenStream(service, method_index, context, initial, last);
}
const std::shared_ptr<Broker>& Channel::broker() const { return impl_->broker(); }
const ChannelOptions& Channel::options() const { return impl_->options(); }
uint64_t Channel::dropped_replies() const { return impl_->dropped_replies(); }

std::shared_ptr<Channel> CreateChannel(std::shared_ptr<Broker> broker, ChannelOptions options) {
  return std::make_shared<Channel>(
      std::make_shared<internal::ChannelImpl>(std::move(broker), std::move(options)));
}

}  // namespace brokrpc
