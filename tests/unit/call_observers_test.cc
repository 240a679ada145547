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
  CHECK(CallObservers({}).empty());
  MiddlewareChain<ClientCall, Status> mixed{std::make_shared<RecordingObserver>(1, &log),
                                            std::make_shared<Wrapping>()};
  CallObservers observers(mixed);
  CHECK_FALSE(observers.only_observers());
  // Streams still run the observers of a mixed chain (around the stream) and the rest apart
  // (around the opening).
  CHECK_FALSE(observers.empty());
  MiddlewareChain<ClientCall, Status> others = CallObservers::Others(mixed);
  REQUIRE(others.size() == 1);
  CHECK(others[0] == mixed[1]);
}

TEST_CASE("client stream watcher: messages and the end reach every observer, the end once") {
  std::vector<std::string> log;
  struct Counting : RecordingObserver {
    using RecordingObserver::RecordingObserver;
    int sent = 0, received = 0;
    void OnStreamMessage(ClientCall&, StreamMessageDirection d) override {
      ++(d == StreamMessageDirection::kSent ? sent : received);
    }
  };
  auto a = std::make_shared<Counting>(1, &log);
  auto b = std::make_shared<Counting>(2, &log);
  auto observers = std::make_shared<const CallObservers>(MiddlewareChain<ClientCall, Status>{a, b});
  ClientStreamWatcher watcher(observers, ClientCall{});
  watcher.OnMessage(StreamMessageDirection::kSent);
  watcher.OnMessage(StreamMessageDirection::kReceived);
  watcher.OnMessage(StreamMessageDirection::kReceived);
  watcher.OnEnd(UnavailableError("gone"), true);
  CHECK(a->sent == 1);
  CHECK(a->received == 2);
  CHECK(b->sent == 1);
  CHECK(b->received == 2);
  CHECK(watcher.call().unroutable);
  CHECK(log == std::vector<std::string>{"done 2 14", "done 1 14"});
}

}  // namespace
}  // namespace brokrpc::internal
