#include <catch2/catch.hpp>
#include <mutex>
#include <vector>

#include "brokrpc/logging.h"
#include "brokrpc/middlewares.h"

namespace brokrpc {
namespace {

// Captures log lines while installed.
class CaptureLogger : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(level, std::string(message));
  }
  std::mutex mu;
  std::vector<std::pair<LogLevel, std::string>> lines;
};

struct ScopedLogger {
  std::shared_ptr<CaptureLogger> logger = std::make_shared<CaptureLogger>();
  ScopedLogger() { SetLogger(logger); }
  ~ScopedLogger() { SetLogger(nullptr); }
};

TEST_CASE("middleware: a chain runs outermost first and can short-circuit", "[middleware]") {
  std::vector<std::string> trace;
  struct Tag : PublisherMiddleware {
    std::string name;
    std::vector<std::string>* trace;
    bool stop = false;
    Status Handle(Message& m, Next next) override {
      trace->push_back(name + ">");
      if (stop) return AbortedError(name);
      m.properties.headers.Set(name, "seen");
      Status s = next(m);
      trace->push_back("<" + name);
      return s;
    }
  };
  auto a = std::make_shared<Tag>();
  a->name = "a";
  a->trace = &trace;
  auto b = std::make_shared<Tag>();
  b->name = "b";
  b->trace = &trace;
  MiddlewareChain<Message, Status> chain{a, b};
  Message m;
  Status s = RunChain(chain, m, [&](Message& x) {
    trace.push_back("terminal:" + std::to_string(x.properties.headers.size()));
    return OkStatus();
  });
  CHECK(s.ok());
  CHECK(trace == std::vector<std::string>{"a>", "b>", "terminal:2", "<b", "<a"});
  trace.clear();
  b->stop = true;
  Message m2;
  Status stopped = RunChain(chain, m2, [&](Message&) {
    trace.push_back("terminal");
    return OkStatus();
  });
  CHECK(stopped.code() == StatusCode::kAborted);
  CHECK(trace == std::vector<std::string>{"a>", "b>", "<a"});
}

TEST_CASE("middleware: logging middlewares log the message, the outcome and the time",
          "[middleware]") {
  ScopedLogger capture;
  LoggingConsumerMiddleware consumer_log(LogLevel::kInfo);
  Message m{.body = "abc", .exchange = "ex", .routing_key = "rk"};
  m.properties.message_id = "m-1";
  ConsumeResult r = consumer_log.Handle(m, [](Message&) { return ConsumeResult::Reject(); });
  CHECK(r.kind() == ConsumeResult::Kind::kReject);
  LoggingPublisherMiddleware publisher_log(LogLevel::kWarning);
  Status s = publisher_log.Handle(m, [](Message&) { return UnavailableError("down"); });
  CHECK(s.code() == StatusCode::kUnavailable);
  std::lock_guard<std::mutex> lock(capture.logger->mu);
  REQUIRE(capture.logger->lines.size() == 2);
  CHECK(capture.logger->lines[0].first == LogLevel::kInfo);
  CHECK_THAT(capture.logger->lines[0].second,
             Catch::StartsWith("consumed exchange='ex' routing_key='rk' message_id='m-1' 3 bytes: "
                               "reject in ") &&
                 Catch::EndsWith(" us"));
  CHECK(capture.logger->lines[1].first == LogLevel::kWarning);
  CHECK_THAT(capture.logger->lines[1].second,
             Catch::Contains("published") && Catch::Contains("UNAVAILABLE: down"));
}

TEST_CASE("middleware: reject-undecodable turns decode failures into logged rejects",
          "[middleware]") {
  ScopedLogger capture;
  RejectUndecodableMiddleware mw;
  Message m;
  ConsumeResult r =
      mw.Handle(m, [](Message&) { return ConsumeResult::Failed(InvalidArgumentError("bad")); });
  CHECK(r.kind() == ConsumeResult::Kind::kReject);
  CHECK(r.status().message() == "bad");
  ConsumeResult other =
      mw.Handle(m, [](Message&) { return ConsumeResult::Failed(InternalError("boom")); });
  CHECK(other.kind() == ConsumeResult::Kind::kFailed);  // only decode failures
  std::lock_guard<std::mutex> lock(capture.logger->mu);
  CHECK(capture.logger->lines.size() == 1);
}

TEST_CASE("middleware: retry-on-error counts attempts per message", "[middleware]") {
  ScopedLogger capture;
  RetryOnErrorMiddleware mw(RetryOnErrorOptions{.delay = std::chrono::milliseconds(7),
                                                .max_attempts = 3,
                                                .retryable_codes = {StatusCode::kUnavailable}});
  Message m;
  m.properties.message_id = "same";
  auto fail = [](Message&) { return ConsumeResult::Failed(UnavailableError("later")); };
  ConsumeResult first = mw.Handle(m, fail);
  CHECK(first.kind() == ConsumeResult::Kind::kRetry);
  CHECK(first.delay() == std::chrono::milliseconds(7));
  CHECK(mw.Handle(m, fail).kind() == ConsumeResult::Kind::kRetry);
  CHECK(mw.Handle(m, fail).kind() == ConsumeResult::Kind::kReject);  // third attempt: final
  CHECK(mw.Handle(m, fail).kind() == ConsumeResult::Kind::kRetry);   // the count started over
  ConsumeResult not_retryable =
      mw.Handle(m, [](Message&) { return ConsumeResult::Failed(InvalidArgumentError("never")); });
  CHECK(not_retryable.kind() == ConsumeResult::Kind::kFailed);
  CHECK(mw.Handle(m, [](Message&) { return ConsumeResult::Ack(); }).is_ack());
}

}  // namespace
}  // namespace brokrpc
