// notification_consumer [URL]: consumes notifications.Notifications/Notify until SIGINT/SIGTERM.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "brokrpc/brokrpc.h"
#include "notifications.brokrpc.pb.h"

namespace {

class NotificationsImpl final : public notifications::Notifications::Service {
 public:
  brokrpc::ConsumeResult Notify(brokrpc::ServerContext* context,
                                const notifications::Notice* notice) override {
    if (notice->text().empty()) {
      std::printf("consumer: rejecting an empty notice\n");
      std::fflush(stdout);
      return brokrpc::ConsumeResult::Reject(brokrpc::InvalidArgumentError("empty notice"));
    }
    // A notice asking for retries is retried (requeued after 100 ms) until its second delivery.
    if (notice->attempt_until_ok() > 1 && !context->redelivered()) {
      std::printf("consumer: '%s' not now, retry in 100 ms\n", notice->text().c_str());
      std::fflush(stdout);
      return brokrpc::ConsumeResult::Retry(std::chrono::milliseconds(100));
    }
    std::printf("consumer: notice '%s'%s\n", notice->text().c_str(),
                context->redelivered() ? " (redelivered)" : "");
    std::fflush(stdout);
    return brokrpc::ConsumeResult::Ack();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok() || !(*broker)->Connect().ok()) {
    std::fprintf(stderr, "consumer: cannot connect to %s\n", url.c_str());
    return 1;
  }
  NotificationsImpl impl;
  brokrpc::Server server(*broker);
  if (brokrpc::Status s = server.RegisterService(&impl); !s.ok()) {
    std::fprintf(stderr, "consumer: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("consumer: consuming %s\n",
              std::string(notifications::Notifications::QueueNames::kNotify).c_str());
  std::fflush(stdout);
  brokrpc::Status s = server.RunUntilSignalled();
  return s.ok() ? 0 : 1;
}
