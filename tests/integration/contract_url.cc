#include "support/test_support.h"

namespace brokrpc::testing {
// Integration tests run the contract against the private RabbitMQ.
std::string ContractUrl() { return RabbitUrl(); }
}  // namespace brokrpc::testing
