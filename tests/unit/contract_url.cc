#include "support/test_support.h"

namespace brokrpc::testing {
// Unit tests run the contract against the in-process broker.
std::string ContractUrl() { return "memory://contract"; }
}  // namespace brokrpc::testing
