// notification_sender [URL]: publishes a few notices (fire-and-forget, confirmed by the broker).
#include <cstdio>
#include <string>

#include "brokrpc/brokrpc.h"
#include "notifications.brokrpc.pb.h"

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok()) return 2;
  auto stub = notifications::Notifications::NewStub(brokrpc::CreateChannel(*broker));
  int failures = 0;
  auto send = [&](const std::string& text, int attempts) {
    brokrpc::ClientContext context;
    notifications::Notice notice;
    notice.set_text(text);
    notice.set_attempt_until_ok(attempts);
    brokrpc::Status s = stub->Notify(&context, notice);
    std::printf("sender: Notify('%s') -> %s\n", text.c_str(), s.ToString().c_str());
    if (!s.ok()) ++failures;
  };
  send("build finished", 1);
  send("deploy started", 2);
  send("", 1);
  return failures == 0 ? 0 : 1;
}
