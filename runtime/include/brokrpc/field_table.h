// FieldTable / FieldValue: AMQP field tables, used for message headers and x-arguments.
#ifndef BROKRPC_FIELD_TABLE_H_
#define BROKRPC_FIELD_TABLE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace brokrpc {

class FieldValue;

// An AMQP field table: ordered (key, value) pairs with unique keys. Value type.
class FieldTable {
 public:
  using Entry = std::pair<std::string, FieldValue>;

  FieldTable() = default;
  FieldTable(std::initializer_list<Entry> entries);

  // Sets `key` to `value`, replacing an existing entry in place.
  void Set(std::string key, FieldValue value);
  // The value of `key`, or nullptr.
  const FieldValue* Find(std::string_view key) const;
  // The value of `key` if it is a string, else nullptr.
  const std::string* FindString(std::string_view key) const;
  // Removes `key`; returns whether it was there.
  bool Erase(std::string_view key);

  // (Defined below FieldValue: std::pair<..., FieldValue> needs the complete type.)
  bool empty() const;
  size_t size() const;
  std::vector<Entry>::const_iterator begin() const;
  std::vector<Entry>::const_iterator end() const;

  friend bool operator==(const FieldTable& a, const FieldTable& b);

 private:
  std::vector<Entry> entries_;
};

// An AMQP list of values.
using FieldArray = std::vector<FieldValue>;

// One AMQP field value: void, bool, integer, floating point, string, array or table.
// Integers of every AMQP width read as int64; floats and decimals as double.
class FieldValue {
 public:
  using Variant =
      std::variant<std::monostate, bool, int64_t, double, std::string, FieldArray, FieldTable>;

  FieldValue() = default;
  FieldValue(bool v) : value_(v) {}                            // NOLINT
  FieldValue(int v) : value_(static_cast<int64_t>(v)) {}       // NOLINT
  FieldValue(int64_t v) : value_(v) {}                         // NOLINT
  FieldValue(uint32_t v) : value_(static_cast<int64_t>(v)) {}  // NOLINT
  FieldValue(double v) : value_(v) {}                          // NOLINT
  FieldValue(const char* v) : value_(std::string(v)) {}        // NOLINT
  FieldValue(std::string v) : value_(std::move(v)) {}          // NOLINT
  FieldValue(std::string_view v) : value_(std::string(v)) {}   // NOLINT
  FieldValue(FieldArray v) : value_(std::move(v)) {}           // NOLINT
  FieldValue(FieldTable v) : value_(std::move(v)) {}           // NOLINT

  bool is_void() const { return std::holds_alternative<std::monostate>(value_); }
  const Variant& variant() const { return value_; }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&value_);
  }

  // A short human-readable rendering (for logs and error messages).
  std::string ToString() const;

  friend bool operator==(const FieldValue& a, const FieldValue& b) { return a.value_ == b.value_; }

 private:
  Variant value_;
};

inline bool FieldTable::empty() const { return entries_.empty(); }
inline size_t FieldTable::size() const { return entries_.size(); }
inline std::vector<FieldTable::Entry>::const_iterator FieldTable::begin() const {
  return entries_.begin();
}
inline std::vector<FieldTable::Entry>::const_iterator FieldTable::end() const {
  return entries_.end();
}

}  // namespace brokrpc

#endif  // BROKRPC_FIELD_TABLE_H_
