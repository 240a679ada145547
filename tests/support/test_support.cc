#include "support/test_support.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/uuid.h"

namespace brokrpc::testing {

std::string RabbitUrl() {
  const char* url = std::getenv("BROKRPC_TEST_URL");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "BROKRPC_TEST_URL is not set: run ./scripts/test, or start a broker with "
        "./scripts/rabbitmq start and export BROKRPC_TEST_URL=<its URL>");
  }
  return url;
}

std::string UniqueName(const std::string& prefix) {
  return prefix + "-" + internal::NewUuidHex().substr(0, 12);
}

std::shared_ptr<Broker> ConnectedBroker(const std::string& url, BrokerOptions options) {
  auto broker = Broker::Create(url, std::move(options));
  REQUIRE(broker.ok());
  Status connected = (*broker)->Connect();
  INFO(connected.ToString());
  REQUIRE(connected.ok());
  return *broker;
}

std::string RabbitCtl(const std::string& args) { return RabbitScript("ctl " + args); }

std::string ConnectionPid(const std::string& name) {
  // RabbitMQ 3.10 has no user_provided_name column: find the name in the client properties
  // ({"connection_name","name"}).
  std::string out = RabbitCtl("list_connections -q --no-table-headers pid client_properties");
  std::string needle = "{\"connection_name\",\"" + name + "\"}";
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    size_t tab = line.find('\t');
    if (tab != std::string::npos && line.find(needle) != std::string::npos) {
      return line.substr(0, tab);
    }
    start = end + 1;
  }
  FAIL("no connection named " << name << " in:\n" << out);
  return "";
}

std::map<std::string, long> QueueMessages() {
  // "messages" is ready plus unacknowledged, counted by each queue's process itself.
  std::string out = RabbitCtl("list_queues -q --no-table-headers name messages");
  std::map<std::string, long> counts;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    size_t tab = line.find('\t');
    if (tab != std::string::npos) {
      counts[line.substr(0, tab)] = std::strtol(line.c_str() + tab + 1, nullptr, 10);
    }
    start = end + 1;
  }
  return counts;
}

size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * 4096;
}

std::string RabbitScript(const std::string& args) {
  const char* script = std::getenv("BROKRPC_RABBITMQ_SCRIPT");
  std::string cmd =
      std::string(script ? script : BROKRPC_SOURCE_DIR "/scripts/rabbitmq") + " " + args + " 2>&1";
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int rc = pclose(pipe);
  INFO("command: " << cmd << "\noutput: " << out);
  REQUIRE(rc == 0);
  return out;
}

void Latch::CountDown() {
  std::lock_guard<std::mutex> lock(mu_);
  if (count_ > 0 && --count_ == 0) cv_.notify_all();
}

bool Latch::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return count_ == 0; });
}

int Latch::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace brokrpc::testing
