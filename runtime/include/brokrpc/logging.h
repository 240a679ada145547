// Logging: where brokrpc reports what it cannot return as a Status (dropped messages, retries).
#ifndef BROKRPC_LOGGING_H_
#define BROKRPC_LOGGING_H_

#include <memory>
#include <string_view>

namespace brokrpc {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// A sink for log lines. Implementations must be thread-safe. brokrpc never puts a password in a
// line it logs.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool Enabled(LogLevel level) const = 0;
  virtual void Log(LogLevel level, std::string_view message) = 0;
};

// The process-wide logger: stderr, level from BROKRPC_LOG_LEVEL (debug|info|warning|error|off,
// default warning), unless replaced with SetLogger.
std::shared_ptr<Logger> GetLogger();
void SetLogger(std::shared_ptr<Logger> logger);

// Logs through GetLogger() when the level is enabled.
void Log(LogLevel level, std::string_view message);

}  // namespace brokrpc

#endif  // BROKRPC_LOGGING_H_
