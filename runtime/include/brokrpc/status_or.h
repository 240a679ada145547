// StatusOr<T>: a value or the Status that explains why there is none.
#ifndef BROKRPC_STATUS_OR_H_
#define BROKRPC_STATUS_OR_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "brokrpc/status.h"

namespace brokrpc {

// Thrown by StatusOr::value() on an error: reading a missing value is a programming error.
class BadStatusOrAccess : public std::logic_error {
 public:
  explicit BadStatusOrAccess(const Status& status)
      : std::logic_error("StatusOr has no value: " + status.ToString()), status_(status) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// Holds either a T (status() is OK) or a non-OK Status. Thread-compatible value type.
//
//   brokrpc::StatusOr<GreetResponse> r = stub->AsyncGreet(&ctx, req).get();
//   if (r.ok()) use(r->greeting()); else log(r.status());
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // An UNKNOWN error; exists so StatusOr can live in containers and futures.
  StatusOr() : status_(StatusCode::kUnknown, "uninitialized StatusOr") {}
  // A value.
  StatusOr(const T& value) : value_(value) {}        // NOLINT: implicit like absl::StatusOr
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT
  // An error; an OK status here is a programming error and becomes INTERNAL.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "StatusOr built from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    if (!ok()) throw BadStatusOrAccess(status_);
    return *value_;
  }
  T& value() & {
    if (!ok()) throw BadStatusOrAccess(status_);
    return *value_;
  }
  T&& value() && {
    if (!ok()) throw BadStatusOrAccess(status_);
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` on error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  void IgnoreError() const {}

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace brokrpc

#endif  // BROKRPC_STATUS_OR_H_
