#include "exit_code.h"

#include <cstdio>

namespace brokrpc::cli {

int ReportFailure(const Status& status) {
  if (status.ok()) return 0;
  std::fprintf(stderr, "brokrpc: %s\n", status.ToString().c_str());
  std::fflush(stderr);
  return kExitStatusBase + static_cast<int>(status.code());
}

}  // namespace brokrpc::cli
