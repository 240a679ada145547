// ObserversIn / OthersIn: a chain of interceptors split into its observers (call observers,
// which the channel and the server run apart from the chain) and the rest.
#ifndef BROKRPC_SRC_RPC_OBSERVERS_IN_H_
#define BROKRPC_SRC_RPC_OBSERVERS_IN_H_

#include <memory>
#include <vector>

#include "brokrpc/middleware.h"

namespace brokrpc::internal {

// The links of `chain` that are `Observer`s, in their order.
template <typename Observer, typename Subject, typename Result>
std::vector<std::shared_ptr<Observer>> ObserversIn(const MiddlewareChain<Subject, Result>& chain) {
  std::vector<std::shared_ptr<Observer>> out;
  for (const auto& link : chain) {
    if (auto observer = std::dynamic_pointer_cast<Observer>(link))
      out.push_back(std::move(observer));
  }
  return out;
}

// The links of `chain` that are not `Observer`s, in their order.
template <typename Observer, typename Subject, typename Result>
MiddlewareChain<Subject, Result> OthersIn(const MiddlewareChain<Subject, Result>& chain) {
  MiddlewareChain<Subject, Result> out;
  for (const auto& link : chain) {
    if (dynamic_cast<Observer*>(link.get()) == nullptr) out.push_back(link);
  }
  return out;
}

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_RPC_OBSERVERS_IN_H_
