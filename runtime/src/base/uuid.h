// Random identifiers: uuid4 as 32 lowercase hex characters (BrokRPC's correlation/message ids).
#ifndef BROKRPC_SRC_BASE_UUID_H_
#define BROKRPC_SRC_BASE_UUID_H_

#include <string>

namespace brokrpc::internal {

// A fresh random (version 4) UUID, "0123456789abcdef0123456789abcdef" form. Thread-safe.
std::string NewUuidHex();

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_BASE_UUID_H_
