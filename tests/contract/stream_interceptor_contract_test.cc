// Interceptors and observers on streams, on both transports: a client interceptor's headers
// reach the server's interceptors, which may refuse the stream; observers see the opening, each
// message and the end, once, with the method known.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/impl/codegen.h"
#include "brokrpc/interceptor.h"
#include "brokrpc/server.h"
#include "support/stream_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::ConnectedBroker;
using testing::ContractUrl;
using testing::Int32Value;
using testing::StreamService;
using testing::StreamSpec;
using testing::UniqueName;

// Refuses a call without an "auth" header; tells the handler it checked it.
struct RequireToken : ServerInterceptor {
  ConsumeResult Handle(Message& m, Next next) override {
    const std::string* token = m.properties.headers.FindString("auth");
    if (token == nullptr) return ConsumeResult::Failed(UnauthenticatedError("no token"));
    return next(m);
  }
};

// Adds the token unless the caller set metadata "anonymous".
struct AddToken : ClientInterceptor {
  Status Handle(ClientCall& call, Next next) override {
    if (!call.context->metadata().count("anonymous")) {
      call.request.properties.headers.Set("auth", "t0ken");
    }
    return next(call);
  }
};

// What an observer saw, as "start", "sent", "received", "done <code>", with the method of each.
struct EventLog {
  std::mutex mu;
  std::vector<std::string> events;         // mu
  std::vector<const MethodSpec*> methods;  // mu

  void Add(std::string e, const MethodSpec* method) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(std::move(e));
    methods.push_back(method);
  }
  static std::string Message(StreamMessageDirection d) {
    return d == StreamMessageDirection::kSent ? "sent" : "received";
  }
  static std::string Done(const Status& status) {
    return "done " + std::to_string(static_cast<int>(status.code()));
  }
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> lock(mu);
    return events;
  }
};

struct ClientLog : ClientCallObserver, EventLog {
  Status OnStart(ClientCall& call) override {
    Add("start", call.method);
    return OkStatus();
  }
  void OnStreamMessage(ClientCall& call, StreamMessageDirection d) override {
    Add(Message(d), call.method);
  }
  void OnDone(ClientCall& call, const Status& status) override { Add(Done(status), call.method); }
};

struct ServerLog : ServerCallObserver, EventLog {
  void OnStart(ServerCall& call) override { Add("start", call.method); }
  void OnStreamMessage(ServerCall& call, StreamMessageDirection d) override {
    Add(Message(d), call.method);
  }
  void OnDone(ServerCall& call, const Status& status) override { Add(Done(status), call.method); }
};

struct Rig {
  StreamSpec spec{UniqueName("stream-icpt")};
  StreamService service{spec};
  std::shared_ptr<ServerLog> server_log = std::make_shared<ServerLog>();
  std::shared_ptr<ClientLog> client_log = std::make_shared<ClientLog>();
  std::shared_ptr<Broker> server_broker = ConnectedBroker(ContractUrl());
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;

  Rig() {
    server = std::make_unique<Server>(
        server_broker,
        ServerOptions{.interceptors = {std::make_shared<RequireToken>(), server_log}});
    REQUIRE(server->RegisterService(&service).ok());
    REQUIRE(server->Start().ok());
    channel =
        CreateChannel(ConnectedBroker(ContractUrl()),
                      ChannelOptions{.interceptors = {std::make_shared<AddToken>(), client_log}});
  }
  ~Rig() { server->Shutdown(5s).IgnoreError(); }

  // Range(n), read to the end; returns the final status.
  Status Range(int n, bool anonymous, int* read) {
    ClientContext ctx;
    ctx.set_timeout(30s);
    if (anonymous) ctx.AddMetadata("anonymous", "1");
    Int32Value req;
    req.set_value(n);
    auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
        channel.get(), spec.spec(), StreamSpec::kRange, &ctx, req);
    Int32Value v;
    while (reader->Read(&v)) ++*read;
    return reader->Finish();
  }
};

TEST_CASE("stream interceptor contract: the server's interceptors see the opening's headers",
          "[stream][interceptor]") {
  Rig rig;
  int read = 0;
  Status with_token = rig.Range(3, false, &read);
  INFO(with_token.ToString());
  CHECK(with_token.ok());
  CHECK(read == 3);

  read = 0;
  Status refused = rig.Range(3, true, &read);
  CHECK(refused.code() == StatusCode::kUnauthenticated);
  CHECK(refused.message().find("no token") != std::string::npos);
  CHECK(read == 0);
}

TEST_CASE("stream interceptor contract: observers see the opening, each message and one end",
          "[stream][interceptor]") {
  Rig rig;
  int read = 0;
  REQUIRE(rig.Range(2, false, &read).ok());
  const std::vector<std::string> served = {"start", "received", "sent", "sent", "done 0"};
  const std::vector<std::string> called = {"start", "sent", "received", "received", "done 0"};
  REQUIRE(rig.client_log->Events().size() == called.size());
  // Both sides report the end before the client's Finish returns: no waiting, and no second end
  // can come later.
  CHECK(rig.server_log->Events() == served);
  // The client's end is reported as soon as the final status is known, which may be before the
  // application read the last messages: only the start and the opening come first for sure.
  std::vector<std::string> client_events = rig.client_log->Events();
  REQUIRE(client_events.size() == called.size());
  CHECK(std::vector<std::string>(client_events.begin(), client_events.begin() + 2) ==
        std::vector<std::string>(called.begin(), called.begin() + 2));
  std::sort(client_events.begin(), client_events.end());
  std::vector<std::string> sorted_called = called;
  std::sort(sorted_called.begin(), sorted_called.end());
  CHECK(client_events == sorted_called);

  // A refused stream: the server's observers run outside its other interceptors, so they see
  // the refusal; the client's see the opening (with its request) and the end.
  REQUIRE(rig.Range(2, true, &read).code() == StatusCode::kUnauthenticated);
  client_events = rig.client_log->Events();
  std::vector<std::string> server_events = rig.server_log->Events();
  REQUIRE(client_events.size() == called.size() + 3);
  REQUIRE(server_events.size() == served.size() + 2);
  const std::string unauthenticated = "done " + std::to_string(16);
  CHECK(std::vector<std::string>(client_events.end() - 3, client_events.end()) ==
        std::vector<std::string>{"start", "sent", unauthenticated});
  CHECK(std::vector<std::string>(server_events.end() - 2, server_events.end()) ==
        std::vector<std::string>{"start", unauthenticated});

  const MethodSpec* range = &rig.spec.spec().methods[StreamSpec::kRange];
  std::lock_guard<std::mutex> lc(rig.client_log->mu);
  std::lock_guard<std::mutex> ls(rig.server_log->mu);
  for (const MethodSpec* m : rig.client_log->methods) CHECK(m == range);
  for (const MethodSpec* m : rig.server_log->methods) CHECK(m == range);
}

TEST_CASE("stream interceptor contract: a failing observer start refuses the stream unsent",
          "[stream][interceptor]") {
  struct Deny : ClientCallObserver {
    Status OnStart(ClientCall&) override { return PermissionDeniedError("not here"); }
    void OnDone(ClientCall&, const Status&) override {}
  };
  StreamSpec spec(UniqueName("stream-deny"));
  auto log = std::make_shared<ClientLog>();
  // No server at all: a stream that went out would come back UNAVAILABLE instead.
  auto channel = CreateChannel(ConnectedBroker(ContractUrl()),
                               ChannelOptions{.interceptors = {log, std::make_shared<Deny>()}});
  ClientContext ctx;
  ctx.set_timeout(30s);
  Int32Value req;
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
      channel.get(), spec.spec(), StreamSpec::kRange, &ctx, req);
  Int32Value v;
  CHECK_FALSE(reader->Read(&v));
  CHECK(reader->Finish().code() == StatusCode::kPermissionDenied);
  CHECK(log->Events() == std::vector<std::string>{"start", "done 7"});
}

TEST_CASE("stream interceptor contract: an interceptor that swallows the opening fails the stream",
          "[stream][interceptor]") {
  struct Swallow : ClientInterceptor {
    Status Handle(ClientCall&, Next) override { return OkStatus(); }  // never calls next
  };
  StreamSpec spec(UniqueName("stream-swallow"));
  auto log = std::make_shared<ClientLog>();
  auto channel = CreateChannel(ConnectedBroker(ContractUrl()),
                               ChannelOptions{.interceptors = {log, std::make_shared<Swallow>()}});
  ClientContext ctx;
  ctx.set_timeout(30s);
  Int32Value req;
  auto reader = internal::ServerStreamingCall<Int32Value, Int32Value>(
      channel.get(), spec.spec(), StreamSpec::kRange, &ctx, req);
  Int32Value v;
  CHECK_FALSE(reader->Read(&v));
  Status s = reader->Finish();  // at once, not at the deadline
  CHECK(s.code() == StatusCode::kInternal);
  CHECK(s.message().find("without sending") != std::string::npos);
  CHECK(log->Events() == std::vector<std::string>{"start", "done 13"});
}

}  // namespace
}  // namespace brokrpc
