// BROKRPC_LOG: formats a log line only when its level is enabled.
#ifndef BROKRPC_SRC_BASE_LOG_H_
#define BROKRPC_SRC_BASE_LOG_H_

#include <fmt/format.h>

#include "brokrpc/logging.h"

#define BROKRPC_LOG(level, ...)                                \
  do {                                                         \
    auto brokrpc_logger_ = ::brokrpc::GetLogger();             \
    if (brokrpc_logger_->Enabled(level)) {                     \
      brokrpc_logger_->Log(level, ::fmt::format(__VA_ARGS__)); \
    }                                                          \
  } while (false)

#define BROKRPC_LOG_DEBUG(...) BROKRPC_LOG(::brokrpc::LogLevel::kDebug, __VA_ARGS__)
#define BROKRPC_LOG_INFO(...) BROKRPC_LOG(::brokrpc::LogLevel::kInfo, __VA_ARGS__)
#define BROKRPC_LOG_WARNING(...) BROKRPC_LOG(::brokrpc::LogLevel::kWarning, __VA_ARGS__)
#define BROKRPC_LOG_ERROR(...) BROKRPC_LOG(::brokrpc::LogLevel::kError, __VA_ARGS__)

#endif  // BROKRPC_SRC_BASE_LOG_H_
