// CallAttempts: runs a unary call's attempts — retries, wait_for_ready, the shared deadline —
// for both the asynchronous and (with SyncWaiter) the synchronous call paths.
#ifndef BROKRPC_SRC_RPC_CALL_ATTEMPTS_H_
#define BROKRPC_SRC_RPC_CALL_ATTEMPTS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "brokrpc/client_context.h"
#include "brokrpc/interceptor.h"
#include "brokrpc/message.h"
#include "brokrpc/status.h"
#include "rpc/wire.h"
#include "transport/transport.h"

namespace brokrpc::internal {

// ---------------------------------------------------------------- decisions (pure)

// The call's own retry policy, else the channel's.
const RetryPolicy& PolicyOf(const ClientContext& context, const RetryPolicy& channel_policy);
// Whether a call may take more than one attempt (then all attempts share one deadline).
bool MayRepeat(const RetryPolicy& policy, bool wait_for_ready);
// The delay after `backoff`: times the multiplier, at least 1 ms, at most max_backoff.
std::chrono::milliseconds NextBackoff(const RetryPolicy& policy, std::chrono::milliseconds backoff);

// How one attempt ended and what the call looks like now. A value type.
struct AttemptVerdictInput {
  int attempt = 1;  // 1 for the first attempt
  Status status;
  bool unroutable = false;  // returned 312 NO_ROUTE: no server has seen the request
  bool cancelled = false;
  bool wait_for_ready = false;
  std::optional<SystemClock::time_point> deadline;
  SystemClock::time_point now;
  std::chrono::milliseconds backoff{0};  // the wait before the next attempt
};
// Whether a failed attempt is tried again: the retry policy allows it, or the caller waits for
// ready and no server has seen the request yet (nobody consumes the queue: during a broker
// restart the servers' queues come back a moment after the connection does) — never past the
// deadline, never after a cancel, never without a deadline.
bool TryAgain(const RetryPolicy& policy, const AttemptVerdictInput& in);

// ---------------------------------------------------------------- the driver

// Starts one attempt of a call; implemented by the channel. `done` runs once, on whichever
// thread settles the attempt. `may_block`: the calling thread belongs to the call (a
// synchronous call) and may wait, e.g. for the broker to come back; else the attempt never
// blocks for long. Thread-safe.
class AttemptStarter {
 public:
  // `unroutable`: the request was returned 312 NO_ROUTE.
  using AttemptDone = std::function<void(Status status, Message* reply, bool unroutable)>;
  virtual ~AttemptStarter() = default;
  virtual void StartAttempt(ClientCall& call, bool may_block, AttemptDone done) = 0;
};

// One call's attempts. Each attempt starts after the previous one ended (so its state needs no
// lock); `done` runs once with the final status and (when OK) the reply, which lives in
// `call->response`, on the thread that settled the last attempt.
class CallAttempts : public std::enable_shared_from_this<CallAttempts> {
 public:
  using Done = std::function<void(Status status, Message* reply)>;
  // Runs `next` after `delay` (the backoff between attempts) on some thread that may block.
  using Schedule = std::function<void(std::chrono::milliseconds delay, std::function<void()> next)>;

  // `call` must stay valid until `done` ran (`keep_alive` may own it). Without a deadline, a
  // call that may repeat gets `now + default_timeout` on its context. When `starter` is gone
  // at a retry, the call ends with CANCELLED. `may_block`: a synchronous call (see
  // AttemptStarter).
  static void Run(std::weak_ptr<AttemptStarter> starter, ClientCall* call,
                  std::shared_ptr<void> keep_alive, bool may_block,
                  const RetryPolicy& channel_policy, std::chrono::milliseconds default_timeout,
                  Schedule schedule, Done done);

  // Public for make_shared; use Run().
  CallAttempts(std::weak_ptr<AttemptStarter> starter, ClientCall* call,
               std::shared_ptr<void> keep_alive, bool may_block, RetryPolicy policy,
               Schedule schedule, Done done);

 private:
  void StartNext();
  void OnAttemptDone(Status status, Message* reply, bool unroutable);
  void Complete(Status status, Message* reply);

  std::weak_ptr<AttemptStarter> starter_;
  ClientCall* call_;
  std::shared_ptr<void> keep_alive_;
  const bool may_block_;
  RetryPolicy policy_;
  Schedule schedule_;
  Done done_;
  std::optional<Message> original_;  // the request as the first attempt sent it (may repeat)
  std::chrono::milliseconds backoff_;
  int attempt_ = 0;
};

// The synchronous face of CallAttempts: the caller blocks in Wait(), which also runs the
// retries on the calling thread after their backoff; done() wakes it once. With a transport,
// the caller reads its reply itself while it waits (Transport::Lead) when the transport lets
// it, and declares that intent for the writes before (Transport::SetLeadIntent) for as long as
// the waiter lives: create the waiter before the call's first attempt. Thread-safe.
class SyncWaiter {
 public:
  explicit SyncWaiter(Transport* transport = nullptr);
  ~SyncWaiter();
  SyncWaiter(const SyncWaiter&) = delete;
  SyncWaiter& operator=(const SyncWaiter&) = delete;
  CallAttempts::Schedule schedule();
  CallAttempts::Done done();
  // Blocks until done() ran; returns its status.
  Status Wait();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_CALL_ATTEMPTS_H_
