// Middleware: the one interception mechanism of brokrpc.
//
// Publisher middlewares, consumer middlewares and RPC interceptors (client and server) are all
// Middleware<Subject, Result>: each sees the subject, may change it, may short-circuit by
// returning a result without calling `next`, and may time or log the call around `next`.
// A chain runs in list order: the first middleware is the outermost.
#ifndef BROKRPC_MIDDLEWARE_H_
#define BROKRPC_MIDDLEWARE_H_

#include <memory>
#include <vector>

#include "brokrpc/function_ref.h"

namespace brokrpc {

// One link of a chain. Implementations must be thread-safe: a chain runs on many threads at once.
template <typename Subject, typename Result>
class Middleware {
 public:
  using Next = FunctionRef<Result(Subject&)>;

  virtual ~Middleware() = default;

  // Handles `subject`; call `next(subject)` (at most once) to pass it on.
  virtual Result Handle(Subject& subject, Next next) = 0;
};

template <typename Subject, typename Result>
using MiddlewareChain = std::vector<std::shared_ptr<Middleware<Subject, Result>>>;

namespace internal {
template <typename Subject, typename Result, typename Terminal>
Result RunChainFrom(const MiddlewareChain<Subject, Result>& chain, size_t index, Subject& subject,
                    Terminal& terminal) {
  if (index == chain.size()) return terminal(subject);
  auto next = [&](Subject& s) -> Result {
    return RunChainFrom<Subject, Result, Terminal>(chain, index + 1, s, terminal);
  };
  return chain[index]->Handle(subject, next);
}
}  // namespace internal

// Runs `subject` through `chain`, then through `terminal` (the real work).
template <typename Subject, typename Result, typename Terminal>
Result RunChain(const MiddlewareChain<Subject, Result>& chain, Subject& subject,
                Terminal&& terminal) {
  return internal::RunChainFrom<Subject, Result>(chain, 0, subject, terminal);
}

// Concatenates chains: `first`'s middlewares run outside `second`'s.
template <typename Subject, typename Result>
MiddlewareChain<Subject, Result> Concat(const MiddlewareChain<Subject, Result>& first,
                                        const MiddlewareChain<Subject, Result>& second) {
  MiddlewareChain<Subject, Result> out = first;
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

}  // namespace brokrpc

#endif  // BROKRPC_MIDDLEWARE_H_
