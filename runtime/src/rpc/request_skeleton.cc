#include "rpc/request_skeleton.h"

#include "rpc/context_access.h"

namespace brokrpc::internal {

void RequestSkeleton::Track(ServerContext* context, bool active) {
  std::lock_guard<std::mutex> lock(active_mu_);
  if (active) {
    active_.insert(context);
  } else {
    active_.erase(context);
  }
}

void RequestSkeleton::CancelActive() {
  std::lock_guard<std::mutex> lock(active_mu_);
  for (ServerContext* context : active_) ServerContextAccess::Cancel(*context);
}

void RequestSkeleton::Enter() {
  std::lock_guard<std::mutex> lock(running_mu_);
  ++running_;
}

void RequestSkeleton::Leave() {
  // Notified under the lock: WaitReturned cannot return (and the owner destroy this) before
  // this thread let go of it.
  std::lock_guard<std::mutex> lock(running_mu_);
  if (--running_ == 0) returned_.notify_all();
}

void RequestSkeleton::WaitReturned() {
  std::unique_lock<std::mutex> lock(running_mu_);
  returned_.wait(lock, [this] { return running_ == 0; });
}

}  // namespace brokrpc::internal
