#include "rpc/call_attempts.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "rpc/context_access.h"

namespace brokrpc::internal {

// ---------------------------------------------------------------- decisions

const RetryPolicy& PolicyOf(const ClientContext& context, const RetryPolicy& channel_policy) {
  return context.retry_policy() ? *context.retry_policy() : channel_policy;
}

bool MayRepeat(const RetryPolicy& policy, bool wait_for_ready) {
  return policy.max_attempts > 1 || wait_for_ready;
}

std::chrono::milliseconds NextBackoff(const RetryPolicy& policy, std::chrono::milliseconds b) {
  auto next = std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(b.count()) * policy.backoff_multiplier));
  return std::min(policy.max_backoff, std::max(next, std::chrono::milliseconds(1)));
}

namespace {
bool Retryable(const RetryPolicy& policy, const Status& s) {
  return std::find(policy.retryable_codes.begin(), policy.retryable_codes.end(), s.code()) !=
         policy.retryable_codes.end();
}
}  // namespace

bool TryAgain(const RetryPolicy& policy, const AttemptVerdictInput& in) {
  if (in.status.ok() || in.cancelled || !in.deadline) return false;
  if (in.now + in.backoff >= *in.deadline) return false;
  if (in.wait_for_ready && in.unroutable) return true;
  return in.attempt < policy.max_attempts && Retryable(policy, in.status);
}

// ---------------------------------------------------------------- CallAttempts

void CallAttempts::Run(std::weak_ptr<AttemptStarter> starter, ClientCall* call,
                       std::shared_ptr<void> keep_alive, bool may_block,
                       const RetryPolicy& channel_policy, std::chrono::milliseconds default_timeout,
                       Schedule schedule, Done done) {
  ClientContext* ctx = call->context;
  const RetryPolicy& policy = PolicyOf(*ctx, channel_policy);
  auto attempts =
      std::make_shared<CallAttempts>(std::move(starter), call, std::move(keep_alive), may_block,
                                     policy, std::move(schedule), std::move(done));
  if (MayRepeat(policy, ctx->wait_for_ready())) {
    // Every attempt shares one deadline.
    if (!ctx->deadline()) ctx->set_deadline(SystemClock::now() + default_timeout);
    attempts->original_ = call->request;
  }
  attempts->StartNext();
}

CallAttempts::CallAttempts(std::weak_ptr<AttemptStarter> starter, ClientCall* call,
                           std::shared_ptr<void> keep_alive, bool may_block, RetryPolicy policy,
                           Schedule schedule, Done done)
    : starter_(std::move(starter)),
      call_(call),
      keep_alive_(std::move(keep_alive)),
      may_block_(may_block),
      policy_(std::move(policy)),
      schedule_(std::move(schedule)),
      done_(std::move(done)),
      backoff_(policy_.initial_backoff) {}

void CallAttempts::StartNext() {
  auto starter = starter_.lock();
  if (!starter) return Complete(CancelledError("the channel was destroyed"), nullptr);
  ++attempt_;
  if (attempt_ > 1) {
    call_->request = *original_;
    call_->response = Message();
  }
  starter->StartAttempt(*call_, may_block_,
                        [self = shared_from_this()](Status s, Message* reply, bool unroutable) {
                          self->OnAttemptDone(std::move(s), reply, unroutable);
                        });
}

void CallAttempts::OnAttemptDone(Status status, Message* reply, bool unroutable) {
  const ClientContext& ctx = *call_->context;
  const bool again = original_.has_value() &&
                     TryAgain(policy_, AttemptVerdictInput{.attempt = attempt_,
                                                           .status = status,
                                                           .unroutable = unroutable,
                                                           .cancelled = ctx.IsCancelled(),
                                                           .wait_for_ready = ctx.wait_for_ready(),
                                                           .deadline = ctx.deadline(),
                                                           .now = SystemClock::now(),
                                                           .backoff = backoff_});
  if (again && !starter_.expired()) {
    auto wait = backoff_;
    backoff_ = NextBackoff(policy_, backoff_);
    schedule_(wait, [self = shared_from_this()] { self->StartNext(); });
    return;
  }
  call_->unroutable = unroutable;
  Complete(std::move(status), reply);
}

void CallAttempts::Complete(Status status, Message* reply) {
  ClientContextAccess::SetAttempts(*call_->context, std::max(attempt_, 1));
  if (reply != nullptr && reply != &call_->response) call_->response = std::move(*reply);
  Done done = std::move(done_);
  done(std::move(status), reply != nullptr ? &call_->response : nullptr);
}

// ---------------------------------------------------------------- SyncWaiter

struct SyncWaiter::State {
  Transport* transport = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  // done || next, readable without the mutex (by Transport::Lead).
  std::atomic<bool> ready{false};
  bool done = false;
  Status status;
  // The next attempt and when to start it (set by the schedule, run by Wait()).
  std::function<void()> next;
  std::chrono::steady_clock::time_point next_at;

  // After `ready` became true (mu released): wake the waiter, wherever it waits.
  void Wake() {
    cv.notify_one();
    if (transport != nullptr) transport->WakeLeader();
  }
};

SyncWaiter::SyncWaiter(Transport* transport) : state_(std::make_shared<State>()) {
  state_->transport = transport;
  if (transport != nullptr) transport->SetLeadIntent(true);
}

SyncWaiter::~SyncWaiter() {
  if (state_->transport != nullptr) state_->transport->SetLeadIntent(false);
}

CallAttempts::Schedule SyncWaiter::schedule() {
  return [st = state_](std::chrono::milliseconds delay, std::function<void()> next) {
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->next = std::move(next);
      st->next_at = std::chrono::steady_clock::now() + delay;
      st->ready = true;
    }
    st->Wake();
  };
}

CallAttempts::Done SyncWaiter::done() {
  return [st = state_](Status s, Message*) {
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->status = std::move(s);
      st->done = true;
      st->ready = true;
    }
    st->Wake();
  };
}

Status SyncWaiter::Wait() {
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  for (;;) {
    if (st.transport != nullptr && !st.ready) {
      // Read the reply on this thread while nobody else needs to; else wait to be woken.
      lock.unlock();
      st.transport->Lead([&st] { return st.ready.load(); });
      lock.lock();
    }
    st.cv.wait(lock, [&] { return st.done || st.next; });
    if (st.done) return std::move(st.status);
    // A retry: wait out its backoff here (nothing settles the call meanwhile), then start it.
    std::function<void()> next = std::move(st.next);
    st.next = nullptr;
    st.ready = false;
    st.cv.wait_until(lock, st.next_at, [&] { return st.done; });
    if (st.done) return std::move(st.status);
    lock.unlock();
    next();
    lock.lock();
  }
}

}  // namespace brokrpc::internal
