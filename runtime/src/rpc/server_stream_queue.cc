// ServerImpl, the stream queue's life: declared at start, replaced after every reconnect.
//
// The server's stream queue is exclusive: it dies with the connection, and the streams with it.
// The reconnect restores it under the same name, though, and a client whose stream died with
// the old connection would go on pinging a queue that exists (on a cluster, the connection
// moves to another node): its stream would never end. So after a reconnect the server makes a
// new queue the address of new streams and deletes the restored one; the old streams' pings
// then come back unroutable and their clients end them with UNAVAILABLE.
#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <utility>

#include "base/log.h"
#include "base/uuid.h"
#include "rpc/server_impl.h"
#include "rpc/server_queue.h"

namespace brokrpc::internal {

Status ServerImpl::NewStreamQueue(const std::shared_ptr<StreamRegistry>& registry,
                                  BrokerCore& core) {
  Transport& transport = core.transport();
  auto queue = core.DeclareQueue(ResolvePrivateQueue(core, "stream." + NewUuidHex()));
  if (!queue.ok()) return queue.status();
  for (const std::string& exchange : registry->exchanges) {
    BROKRPC_RETURN_IF_ERROR(transport.BindQueue(*queue, exchange, *queue, {}));
  }
  Transport* t = &transport;
  std::shared_ptr<StreamRegistry> r = registry;
  auto id = std::make_shared<std::atomic<uint64_t>>(0);  // this consumer's, for its acks
  auto consumer = transport.StartConsumer(ConsumeRequest{
      .queue = *queue,
      .prefetch_count = 0,
      .exclusive = true,
      .on_delivery = [r, t, id](Message&& m) { OnStreamEnvelope(*r, *t, *id, std::move(m)); },
      .on_gone =
          [r](Status why) {
            FailStreams(*r, UnavailableError(fmt::format("stream queue lost: {}", why.message())));
          }});
  if (!consumer.ok()) return consumer.status();
  id->store(*consumer);
  std::string old_queue;
  uint64_t old_consumer = 0;
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    stopped = registry->stopped;
    if (!stopped) {
      old_queue = std::exchange(registry->queue, *queue);
      old_consumer = registry->consumer.exchange(*consumer);
    }
  }
  if (stopped) {  // the server shut down meanwhile: this queue is not wanted
    old_queue = *queue;
    old_consumer = *consumer;
  }
  if (old_consumer != 0) {
    transport.CancelConsumer(old_consumer).IgnoreError();
    transport.ReleaseConsumer(old_consumer);
  }
  if (!old_queue.empty()) transport.DeleteQueue(old_queue).IgnoreError();
  return OkStatus();
}

void ServerImpl::ReplaceStreamQueue(const std::shared_ptr<StreamRegistry>& registry,
                                    BrokerCore& core) {
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    if (registry->stopped || registry->consumer == 0) return;
  }
  Status s = NewStreamQueue(registry, core);
  if (!s.ok()) {
    // The connection is gone again: the next reconnect tries again.
    BROKRPC_LOG_WARNING("replacing the server's stream queue after a reconnect: {}", s.message());
  }
}

}  // namespace brokrpc::internal
