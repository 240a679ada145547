// CancelLink: carries the cancellation of an incoming call (a ServerContext) to the nested calls
// made for it (ClientContexts from ClientContext::FromServerContext).
#ifndef BROKRPC_SRC_OBSERVABILITY_CANCEL_LINK_H_
#define BROKRPC_SRC_OBSERVABILITY_CANCEL_LINK_H_

#include <cstdint>
#include <map>
#include <mutex>

namespace brokrpc {
class ClientContext;
}

namespace brokrpc::internal {

// Shared by a ServerContext and its nested ClientContexts, so that either may go first.
// Thread-safe. A context is cancelled under the link's (recursive) lock, so Remove() from a
// destructor on another thread waits until that TryCancel() has returned; a completion that
// destroys its context on the cancelling thread re-enters safely.
class CancelLink {
 public:
  // Registers `child`; cancels it at once when the link is cancelled already. Returns its id.
  uint64_t Add(ClientContext* child);
  void Remove(uint64_t id);
  // Cancels every registered child and every child added later.
  void CancelAll();

 private:
  std::recursive_mutex mu_;
  bool cancelled_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, ClientContext*> children_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_OBSERVABILITY_CANCEL_LINK_H_
