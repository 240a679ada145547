#include "brokrpc/field_table.h"

#include <fmt/format.h>

namespace brokrpc {

FieldTable::FieldTable(std::initializer_list<Entry> entries) {
  for (const auto& e : entries) Set(e.first, e.second);
}

void FieldTable::Set(std::string key, FieldValue value) {
  for (auto& e : entries_) {
    if (e.first == key) {
      e.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

const FieldValue* FieldTable::Find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.first == key) return &e.second;
  }
  return nullptr;
}

const std::string* FieldTable::FindString(std::string_view key) const {
  const FieldValue* v = Find(key);
  return v ? v->get_if<std::string>() : nullptr;
}

bool FieldTable::Erase(std::string_view key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

bool operator==(const FieldTable& a, const FieldTable& b) {
  if (a.size() != b.size()) return false;
  for (const auto& e : a) {
    const FieldValue* other = b.Find(e.first);
    if (other == nullptr || !(*other == e.second)) return false;
  }
  return true;
}

std::string FieldValue::ToString() const {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& v) const { return fmt::format("'{}'", v); }
    std::string operator()(const FieldArray& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i].ToString();
      return out + "]";
    }
    std::string operator()(const FieldTable& v) const {
      std::string out = "{";
      bool first = true;
      for (const auto& e : v) {
        out += (first ? "" : ", ") + e.first + ": " + e.second.ToString();
        first = false;
      }
      return out + "}";
    }
  };
  return std::visit(Visitor{}, value_);
}

}  // namespace brokrpc
