// A hand-written streaming service for tests: "test.Streams" on a unique exchange.
#ifndef BROKRPC_TESTS_SUPPORT_STREAM_SERVICE_H_
#define BROKRPC_TESTS_SUPPORT_STREAM_SERVICE_H_

#include <google/protobuf/wrappers.pb.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "brokrpc/channel.h"
#include "brokrpc/service.h"
#include "brokrpc/stream.h"

namespace brokrpc::testing {

using google::protobuf::Int32Value;
using google::protobuf::Int64Value;
using google::protobuf::StringValue;

// Methods:
//   0 Range(Int32Value n) -> stream Int32Value   0..n-1; n < 0: -n messages, then ABORTED
//   1 Sum(stream Int32Value) -> Int64Value        the sum of what was sent
//   2 Chat(stream StringValue) -> stream StringValue   "<instance>:<value>" for each value
//   3 Hold(Int32Value n) -> stream Int32Value     writes n, then waits until cancelled
class StreamSpec {
 public:
  static constexpr size_t kRange = 0, kSum = 1, kChat = 2, kHold = 3;
  explicit StreamSpec(std::string exchange);
  const ServiceSpec& spec() const { return spec_; }

 private:
  std::string exchange_;
  std::string keys_[4];
  ServiceSpec spec_;
};

class StreamService : public Service {
 public:
  StreamService(const StreamSpec& spec, std::string instance = "s1");

  std::atomic<int> hold_saw_cancel{0};
  std::atomic<int> hold_running{0};
  std::atomic<int> chats{0};
  // Longest a Range Write waited for credit, in microseconds.
  std::atomic<int64_t> longest_write_wait_us{0};
  // The threads that ran Range and Hold handlers.
  std::set<std::thread::id> HandlerThreads() const;

 private:
  void RecordThread();
  mutable std::mutex threads_mu_;
  std::set<std::thread::id> threads_;
  std::string instance_;
};

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_SUPPORT_STREAM_SERVICE_H_
