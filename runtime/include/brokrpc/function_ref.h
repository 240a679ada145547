// FunctionRef: a non-owning, non-allocating reference to a callable (like absl::FunctionRef).
#ifndef BROKRPC_FUNCTION_REF_H_
#define BROKRPC_FUNCTION_REF_H_

#include <memory>
#include <type_traits>
#include <utility>

namespace brokrpc {

template <typename Signature>
class FunctionRef;

// Refers to a callable that must outlive the FunctionRef; cheap to copy; never empty.
template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
                                        std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& f)  // NOLINT: implicit by design
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        invoke_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return invoke_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*invoke_)(void*, Args...);
};

}  // namespace brokrpc

#endif  // BROKRPC_FUNCTION_REF_H_
