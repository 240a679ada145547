// Helpers shared by the test suites: broker URLs, unique names, waiting, rabbitmqctl.
#ifndef BROKRPC_TESTS_SUPPORT_TEST_SUPPORT_H_
#define BROKRPC_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "brokrpc/broker.h"

namespace brokrpc::testing {

// The URL of the broker a contract test runs against (memory:// in unit tests, the private
// RabbitMQ in integration tests). Defined once per test executable.
std::string ContractUrl();

// $BROKRPC_TEST_URL, or a test failure explaining how to get one.
std::string RabbitUrl();

// "prefix-<random hex>": queue and exchange names that do not collide across tests and runs.
std::string UniqueName(const std::string& prefix);

// A connected broker on `url`, or a test failure.
std::shared_ptr<Broker> ConnectedBroker(const std::string& url, BrokerOptions options = {});

// Runs `scripts/rabbitmq ctl <args>` against the private node; returns its stdout.
// Fails the test when the command fails.
std::string RabbitCtl(const std::string& args);
// Runs `scripts/rabbitmq <args>` (e.g. "restart"); returns its stdout.
std::string RabbitScript(const std::string& args);
// The RabbitMQ connection pid of the connection named `name` (URL parameter name=...).
std::string ConnectionPid(const std::string& name);
// The queues of the private node by name, with their messages (ready plus unacknowledged).
std::map<std::string, long> QueueMessages();
// Resident memory of this process, in bytes.
size_t ResidentBytes();

// A countdown latch with a bounded wait.
class Latch {
 public:
  explicit Latch(int count) : count_(count) {}
  void CountDown();
  // True when the count reached zero before `timeout`.
  bool Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int count() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int count_;
};

// Polls `condition` until true or `timeout` (for state that has no event to wait on, such as a
// broker-side queue count).
bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_SUPPORT_TEST_SUPPORT_H_
