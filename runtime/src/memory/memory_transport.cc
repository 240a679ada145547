#include "memory/memory_transport.h"

#include <fmt/format.h>

namespace brokrpc::internal {

std::unique_ptr<Transport> NewMemoryTransport(std::string broker_name) {
  return std::make_unique<MemoryTransport>(std::move(broker_name));
}

MemoryTransport::MemoryTransport(std::string broker_name)
    : name_(std::move(broker_name)), thread_([this] { Loop(); }) {}

MemoryTransport::~MemoryTransport() {
  Close();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemoryTransport::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void MemoryTransport::Dispatch(std::function<void()> task) {
  {
    // Notified under the lock: once the lock is released the destructor may run at once.
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
}

Status MemoryTransport::Blocking(const char* operation) const {
  if (OnTransportThread()) {
    return FailedPreconditionError(fmt::format(
        "{}: a blocking broker operation was called on the transport's thread", operation));
  }
  if (!connected_) {
    return UnavailableError(fmt::format("{}: not connected to memory://{}", operation, name_));
  }
  return OkStatus();
}

Status MemoryTransport::Connect() {
  if (connected_) return OkStatus();
  broker_ = MemoryBroker::Get(name_);
  connected_ = true;
  return OkStatus();
}

void MemoryTransport::Close() {
  if (!connected_.exchange(false)) return;
  broker_->RemoveOwner(this);
}

Status MemoryTransport::DeclareExchange(const ResolvedExchange& exchange) {
  BROKRPC_RETURN_IF_ERROR(Blocking("declare exchange"));
  return broker_->DeclareExchange(exchange);
}

StatusOr<std::string> MemoryTransport::DeclareQueue(const ResolvedQueue& queue) {
  BROKRPC_RETURN_IF_ERROR(Blocking("declare queue"));
  return broker_->DeclareQueue(queue, this);
}

Status MemoryTransport::BindQueue(const std::string& queue, const std::string& exchange,
                                  const std::string& key, const FieldTable& arguments) {
  BROKRPC_RETURN_IF_ERROR(Blocking("bind queue"));
  return broker_->BindQueue(queue, exchange, key, arguments, true);
}

Status MemoryTransport::UnbindQueue(const std::string& queue, const std::string& exchange,
                                    const std::string& key, const FieldTable& arguments) {
  BROKRPC_RETURN_IF_ERROR(Blocking("unbind queue"));
  return broker_->BindQueue(queue, exchange, key, arguments, false);
}

Status MemoryTransport::DeleteQueue(const std::string& queue) {
  BROKRPC_RETURN_IF_ERROR(Blocking("delete queue"));
  return broker_->DeleteQueue(queue);
}

Status MemoryTransport::DeleteExchange(const std::string& exchange) {
  BROKRPC_RETURN_IF_ERROR(Blocking("delete exchange"));
  return broker_->DeleteExchange(exchange);
}

void MemoryTransport::Publish(uint32_t, PublishRequest request, PublishDone done) {
  const bool timed = listeners_.timing_confirms();
  const auto start =
      timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  PublishOutcome outcome = connected_ ? broker_->Publish(request)
                                      : PublishOutcome::ConnectionLost(UnavailableError(fmt::format(
                                            "publish: not connected to memory://{}", name_)));
  // The in-memory broker confirms as it routes: the latency is the routing.
  if (timed && outcome.ok()) listeners_.NotifyConfirmed(std::chrono::steady_clock::now() - start);
  auto shared = std::make_shared<PublishDone>(std::move(done));
  Dispatch([shared, outcome = std::move(outcome)] { (*shared)(outcome); });
}

StatusOr<uint64_t> MemoryTransport::StartConsumer(ConsumeRequest request) {
  BROKRPC_RETURN_IF_ERROR(Blocking("consume"));
  auto consumer = broker_->AddConsumer(request, this,
                                       [this](std::function<void()> t) { Dispatch(std::move(t)); });
  if (!consumer.ok()) return consumer.status();
  return (*consumer)->id;
}

void MemoryTransport::Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  if (broker_) broker_->Settle(consumer_id, tag, settlement);
}

void MemoryTransport::ReplyAndAck(uint64_t consumer_id, uint64_t tag, PublishRequest reply,
                                  PublishDone done) {
  PublishOutcome outcome = connected_ && broker_
                               ? broker_->Publish(reply)
                               : PublishOutcome::ConnectionLost(UnavailableError(
                                     fmt::format("reply: not connected to memory://{}", name_)));
  if (broker_ && connected_) broker_->Settle(consumer_id, tag, Settlement::kAck);
  auto shared = std::make_shared<PublishDone>(std::move(done));
  Dispatch([shared, outcome = std::move(outcome)] { (*shared)(outcome); });
}

Status MemoryTransport::CancelConsumer(uint64_t consumer_id) {
  if (broker_) broker_->CancelConsumer(consumer_id);
  return OkStatus();
}

void MemoryTransport::ReleaseConsumer(uint64_t consumer_id) {
  if (broker_) broker_->RemoveConsumer(consumer_id);
}

bool MemoryTransport::Execute(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return false;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
  return true;
}

uint64_t MemoryTransport::AddConnectionListener(ConnectionListener listener) {
  return listeners_.Add(std::move(listener));
}

void MemoryTransport::RemoveConnectionListener(uint64_t id) { listeners_.Remove(id); }

}  // namespace brokrpc::internal
