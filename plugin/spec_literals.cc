#include "spec_literals.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <vector>

#include "naming.h"

namespace brokrpc::plugin {
namespace {

using brokrpc::spec::v1::ArgumentValue;

std::string Bool(bool b) { return b ? "true" : "false"; }

// `{"k", value}, ...` in sorted key order (deterministic output).
std::string TableEntries(const google::protobuf::Map<std::string, ArgumentValue>& map) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : map) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += "{" + CppStringLiteral(k) + ", " + ArgumentLiteral(map.at(k)) + "}";
  }
  return out;
}

std::string TableLiteral(const google::protobuf::Map<std::string, ArgumentValue>& map) {
  return "::brokrpc::FieldTable{" + TableEntries(map) + "}";
}

std::string Int64Literal(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min()) return "std::int64_t{-9223372036854775807 - 1}";
  char buf[48];
  std::snprintf(buf, sizeof(buf), "std::int64_t{%" PRId64 "}", v);
  return buf;
}

std::string FloatLiteral(float v) {
  if (v != v) return "std::numeric_limits<double>::quiet_NaN()";
  if (v == std::numeric_limits<float>::infinity()) return "std::numeric_limits<double>::infinity()";
  if (v == -std::numeric_limits<float>::infinity()) {
    return "-std::numeric_limits<double>::infinity()";
  }
  char buf[48];
  std::snprintf(buf, sizeof(buf), "double{%.9gF}", static_cast<double>(v));
  std::string s = buf;
  // "1F" is not a float literal; make sure there is a '.' or an exponent.
  if (s.find_first_of(".eE", 7) == std::string::npos) s.insert(s.size() - 2, ".0");
  return s;
}

}  // namespace

std::string ArgumentLiteral(const ArgumentValue& value) {
  switch (value.value_case()) {
    case ArgumentValue::kNullValue:
    case ArgumentValue::VALUE_NOT_SET:
      return "::brokrpc::FieldValue()";
    case ArgumentValue::kBoolValue:
      return "::brokrpc::FieldValue(" + Bool(value.bool_value()) + ")";
    case ArgumentValue::kIntValue:
      return "::brokrpc::FieldValue(" + Int64Literal(value.int_value()) + ")";
    case ArgumentValue::kFloatValue:
      return "::brokrpc::FieldValue(" + FloatLiteral(value.float_value()) + ")";
    case ArgumentValue::kStrValue:
      return "::brokrpc::FieldValue(std::string(" + CppStringLiteral(value.str_value()) + "))";
    case ArgumentValue::kListValue: {
      std::string items;
      for (const auto& item : value.list_value().items()) {
        if (!items.empty()) items += ", ";
        items += ArgumentLiteral(item);
      }
      return "::brokrpc::FieldValue(::brokrpc::FieldArray{" + items + "})";
    }
    case ArgumentValue::kMapValue:
      return "::brokrpc::FieldValue(" + TableLiteral(value.map_value().items()) + ")";
  }
  return "::brokrpc::FieldValue()";
}

std::string ExchangeLiteral(const brokrpc::spec::v1::ExchangeOptions* o) {
  std::vector<std::string> fields;
  if (o != nullptr) {
    if (o->has_name()) fields.push_back(".name = " + CppStringLiteral(o->name()));
    if (o->has_type()) {
      switch (o->type()) {
        case brokrpc::spec::v1::EXCHANGE_TYPE_DIRECT:
          fields.push_back(".type = ::brokrpc::ExchangeType::kDirect");
          break;
        case brokrpc::spec::v1::EXCHANGE_TYPE_FANOUT:
          fields.push_back(".type = ::brokrpc::ExchangeType::kFanout");
          break;
        case brokrpc::spec::v1::EXCHANGE_TYPE_TOPIC:
          fields.push_back(".type = ::brokrpc::ExchangeType::kTopic");
          break;
        case brokrpc::spec::v1::EXCHANGE_TYPE_HEADER:
          fields.push_back(".type = ::brokrpc::ExchangeType::kHeaders");
          break;
        default:
          break;  // UNSPECIFIED: the broker's default exchange type applies
      }
    }
    if (o->has_durable()) fields.push_back(".durable = " + Bool(o->durable()));
    if (o->has_auto_delete()) fields.push_back(".auto_delete = " + Bool(o->auto_delete()));
    if (!o->arguments().empty()) fields.push_back(".arguments = " + TableLiteral(o->arguments()));
  }
  std::string out = "::brokrpc::ExchangeOptions{";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i];
  return out + "}";
}

std::string QueueLiteral(const brokrpc::spec::v1::QueueOptions* o, const std::string& name) {
  std::vector<std::string> fields{".name = " + CppStringLiteral(name)};
  if (o != nullptr) {
    if (o->has_durable()) fields.push_back(".durable = " + Bool(o->durable()));
    if (o->has_exclusive()) fields.push_back(".exclusive = " + Bool(o->exclusive()));
    if (o->has_auto_delete()) fields.push_back(".auto_delete = " + Bool(o->auto_delete()));
    if (!o->arguments().empty()) fields.push_back(".arguments = " + TableLiteral(o->arguments()));
  }
  std::string out = "::brokrpc::QueueOptions{";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i];
  return out + "}";
}

}  // namespace brokrpc::plugin
