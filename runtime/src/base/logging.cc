#include "brokrpc/logging.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

namespace brokrpc {
namespace {

LogLevel LevelFromEnv() {
  const char* v = std::getenv("BROKRPC_LOG_LEVEL");
  if (v == nullptr) return LogLevel::kWarning;
  if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(v, "info") == 0) return LogLevel::kInfo;
  if (std::strcmp(v, "error") == 0) return LogLevel::kError;
  if (std::strcmp(v, "off") == 0) return LogLevel::kOff;
  return LogLevel::kWarning;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "D";
    case LogLevel::kInfo:
      return "I";
    case LogLevel::kWarning:
      return "W";
    case LogLevel::kError:
      return "E";
    case LogLevel::kOff:
      break;
  }
  return "?";
}

// Writes "brokrpc W 12:00:00.123 message" lines to stderr.
class StderrLogger : public Logger {
 public:
  StderrLogger() : level_(LevelFromEnv()) {}
  bool Enabled(LogLevel level) const override { return level >= level_ && level != LogLevel::kOff; }
  void Log(LogLevel level, std::string_view message) override {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::string line = fmt::format("brokrpc {} {:%H:%M:%S}.{:03d} {}\n", LevelName(level),
                                   fmt::localtime(std::chrono::system_clock::to_time_t(now)),
                                   static_cast<int>(ms.count()), message);
    std::lock_guard<std::mutex> lock(mu_);
    std::cerr << line << std::flush;
  }

 private:
  LogLevel level_;
  std::mutex mu_;
};

std::mutex g_logger_mu;
std::shared_ptr<Logger>& LoggerSlot() {
  static std::shared_ptr<Logger> logger = std::make_shared<StderrLogger>();
  return logger;
}

}  // namespace

std::shared_ptr<Logger> GetLogger() {
  std::lock_guard<std::mutex> lock(g_logger_mu);
  return LoggerSlot();
}

void SetLogger(std::shared_ptr<Logger> logger) {
  std::lock_guard<std::mutex> lock(g_logger_mu);
  LoggerSlot() = logger ? std::move(logger) : std::make_shared<StderrLogger>();
}

void Log(LogLevel level, std::string_view message) {
  auto logger = GetLogger();
  if (logger->Enabled(level)) logger->Log(level, message);
}

}  // namespace brokrpc
