// MemoryTransport: the Transport over an in-process MemoryBroker (memory:// URLs).
#ifndef BROKRPC_SRC_MEMORY_MEMORY_TRANSPORT_H_
#define BROKRPC_SRC_MEMORY_MEMORY_TRANSPORT_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "memory/memory_broker.h"
#include "transport/connection_listeners.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// Callbacks (deliveries, publish outcomes, consumer ends) run on this transport's dispatcher
// thread, never on the caller's thread and never under the broker's lock — the same threading
// as the AMQP transport's I/O thread. Thread-safe.
class MemoryTransport final : public Transport {
 public:
  explicit MemoryTransport(std::string broker_name);
  ~MemoryTransport() override;

  Status Connect() override;
  void Close() override;
  bool is_connected() const override { return connected_.load(); }
  std::chrono::seconds heartbeat() const override { return std::chrono::seconds(0); }
  bool OnTransportThread() const override { return std::this_thread::get_id() == thread_.get_id(); }

  Status DeclareExchange(const ResolvedExchange& exchange) override;
  StatusOr<std::string> DeclareQueue(const ResolvedQueue& queue) override;
  Status BindQueue(const std::string& queue, const std::string& exchange,
                   const std::string& binding_key, const FieldTable& arguments) override;
  Status UnbindQueue(const std::string& queue, const std::string& exchange,
                     const std::string& binding_key, const FieldTable& arguments) override;
  Status DeleteQueue(const std::string& queue) override;
  Status DeleteExchange(const std::string& exchange) override;

  uint32_t CreatePublishLane(bool /*confirms*/) override { return next_lane_++; }
  void ReleasePublishLane(uint32_t) override {}
  void Publish(uint32_t lane, PublishRequest request, PublishDone done) override;

  StatusOr<uint64_t> StartConsumer(ConsumeRequest request) override;
  void Settle(uint64_t consumer_id, uint64_t delivery_tag, Settlement settlement) override;
  void ReplyAndAck(uint64_t consumer_id, uint64_t delivery_tag, PublishRequest reply,
                   PublishDone done) override;
  Status CancelConsumer(uint64_t consumer_id) override;
  void ReleaseConsumer(uint64_t consumer_id) override;

  bool Execute(std::function<void()> task) override;
  uint64_t AddConnectionListener(ConnectionListener listener) override;
  void RemoveConnectionListener(uint64_t id) override;

 private:
  void Dispatch(std::function<void()> task);
  void Loop();
  Status Blocking(const char* operation) const;

  std::string name_;
  std::shared_ptr<MemoryBroker> broker_;
  std::atomic<bool> connected_{false};
  std::atomic<uint32_t> next_lane_{1};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;

  ConnectionListeners listeners_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_MEMORY_MEMORY_TRANSPORT_H_
