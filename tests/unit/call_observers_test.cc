// CallObservers: the order of OnStart / OnDone, a failing OnStart, and when a chain qualifies.
#include "rpc/call_observers.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace brokrpc::internal {
namespace {

// Records "start N" / "done N code" into a shared log; fails OnStart when told to.
class RecordingObserver : public ClientCallObserver {
 public:
  RecordingObserver(int id, std::vector<std::string>* log, bool fail_start = false)
      : id_(id), log_(log), fail_start_(fail_start) {}
  Status OnStart(ClientCall&) override {
    log_->push_back("start " + std::to_string(id_));
    return fail_start_ ? PermissionDeniedError("refused by " + std::to_string(id_)) : OkStatus();
  }
  void OnDone(ClientCall&, const Status& status) override {
    log_->push_back("done " + std::to_string(id_) + " " +
                    std::to_string(static_cast<int>(status.code())));
  }

 private:
  int id_;
  std::vector<std::string>* log_;
  bool fail_start_;
};

// An ordinary interceptor (wraps `next`).
class Wrapping : public ClientInterceptor {
 public:
  Status Handle(ClientCall& call, Next next) override { return next(call); }
};

TEST_CASE("call observers: starts outermost first and ends innermost first") {
  std::vector<std::string> log;
  MiddlewareChain<ClientCall, Status> chain{std::make_shared<RecordingObserver>(1, &log),
                                            std::make_shared<RecordingObserver>(2, &log)};
  CallObservers observers(chain);
  ClientCall call;
  REQUIRE(observers.only_observers());
  Status started = observers.Start(call);
  observers.Done(call, NotFoundError("x"));
  CHECK(started.ok());
  CHECK(log == std::vector<std::string>{"start 1", "start 2", "done 2 5", "done 1 5"});

  // The same chain run synchronously (Handle) gives the same order.
  std::vector<std::string> sync_log;
  MiddlewareChain<ClientCall, Status> sync_chain{std::make_shared<RecordingObserver>(1, &sync_log),
                                                 std::make_shared<RecordingObserver>(2, &sync_log)};
  Status status = RunChain(sync_chain, call, [](ClientCall&) { return NotFoundError("x"); });
  CHECK(status.code() == StatusCode::kNotFound);
  CHECK(sync_log == log);
}

TEST_CASE("call observers: a failing OnStart ends it and the observers outside it") {
  std::vector<std::string> log;
  MiddlewareChain<ClientCall, Status> chain{std::make_shared<RecordingObserver>(1, &log),
                                            std::make_shared<RecordingObserver>(2, &log, true),
                                            std::make_shared<RecordingObserver>(3, &log)};
  CallObservers observers(chain);
  ClientCall call;
  Status started = observers.Start(call);
  CHECK(started.code() == StatusCode::kPermissionDenied);
  CHECK(log == std::vector<std::string>{"start 1", "start 2", "done 2 7", "done 1 7"});
}

TEST_CASE("call observers: a chain with any wrapping interceptor does not qualify") {
  std::vector<std::string> log;
  CHECK_FALSE(CallObservers({}).only_observers());
  CHECK_FALSE(
      CallObservers({std::make_shared<RecordingObserver>(1, &log), std::make_shared<Wrapping>()})
          .only_observers());
}

}  // namespace
}  // namespace brokrpc::internal
