// ServerObservers: which interceptors are observers, the order of their hooks; StatusOfResult;
// a ServerCallObserver used as a plain consumer middleware.
#include "rpc/server_observers.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace brokrpc::internal {
namespace {

// Records "start N", "sent N", "received N", "done N code" into a shared log.
class RecordingServerObserver : public ServerCallObserver {
 public:
  RecordingServerObserver(int id, std::vector<std::string>* log) : id_(id), log_(log) {}
  void OnStart(ServerCall&) override { log_->push_back("start " + std::to_string(id_)); }
  void OnStreamMessage(ServerCall&, StreamMessageDirection d) override {
    log_->push_back((d == StreamMessageDirection::kSent ? "sent " : "received ") +
                    std::to_string(id_));
  }
  void OnDone(ServerCall& call, const Status& status) override {
    log_->push_back("done " + std::to_string(id_) + " " +
                    std::to_string(static_cast<int>(status.code())));
    last_call_ = call;
  }
  ServerCall last_call_;

 private:
  int id_;
  std::vector<std::string>* log_;
};

class PassThrough : public ServerInterceptor {
 public:
  ConsumeResult Handle(Message& m, Next next) override { return next(m); }
};

TEST_CASE("server observers: started in list order, ended in reverse, the rest left to the chain") {
  std::vector<std::string> log;
  auto pass = std::make_shared<PassThrough>();
  MiddlewareChain<Message, ConsumeResult> interceptors{
      std::make_shared<RecordingServerObserver>(1, &log), pass,
      std::make_shared<RecordingServerObserver>(2, &log)};
  ServerObservers observers(interceptors);
  MiddlewareChain<Message, ConsumeResult> others = ServerObservers::Others(interceptors);
  REQUIRE(others.size() == 1);
  CHECK(others[0] == pass);

  Message request;
  ServerCall call{.request = &request};
  observers.Start(call);
  CHECK(call.started != std::chrono::steady_clock::time_point{});
  observers.StreamMessage(call, StreamMessageDirection::kReceived);
  observers.StreamMessage(call, StreamMessageDirection::kSent);
  observers.Done(call, NotFoundError("x"));
  CHECK(log == std::vector<std::string>{"start 1", "start 2", "received 1", "received 2", "sent 1",
                                        "sent 2", "done 2 5", "done 1 5"});
  CHECK(ServerObservers({pass}).empty());
}

TEST_CASE("server observers: the status of a consume result") {
  CHECK(StatusOfResult(ConsumeResult::Ack()).ok());
  CHECK(StatusOfResult(ConsumeResult::Failed(NotFoundError("x"))).code() == StatusCode::kNotFound);
  CHECK(StatusOfResult(ConsumeResult::Reject(AbortedError("y"))).code() == StatusCode::kAborted);
  Status retried = StatusOfResult(ConsumeResult::Retry(std::chrono::milliseconds(5)));
  CHECK(retried.code() == StatusCode::kUnknown);
  CHECK(retried.message().find("retry") != std::string::npos);
}

TEST_CASE("server observers: as a plain consumer middleware, without a method") {
  std::vector<std::string> log;
  auto observer = std::make_shared<RecordingServerObserver>(1, &log);
  MiddlewareChain<Message, ConsumeResult> chain{observer};
  Message m;
  m.routing_key = "k";
  ConsumeResult r =
      RunChain(chain, m, [](Message&) { return ConsumeResult::Failed(AbortedError("no")); });
  CHECK(r.kind() == ConsumeResult::Kind::kFailed);
  CHECK(log == std::vector<std::string>{"start 1", "done 1 10"});
  CHECK(observer->last_call_.method == nullptr);
  CHECK(observer->last_call_.request == &m);
}

}  // namespace
}  // namespace brokrpc::internal
