#include "json_text.h"

#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>

namespace brokrpc::cli {

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out += '"';
  return out;
}

bool IsUtf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= bytes.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(bytes[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += 1 + extra;
  }
  return true;
}

std::string FieldValueJson(const FieldValue& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      return std::isfinite(d) ? fmt::format("{}", d) : JsonQuote(fmt::format("{}", d));
    }
    std::string operator()(const std::string& s) const {
      return IsUtf8(s) ? JsonQuote(s) : JsonQuote("<binary>");
    }
    std::string operator()(const FieldArray& a) const {
      std::string out = "[";
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += ",";
        out += FieldValueJson(a[i]);
      }
      return out + "]";
    }
    std::string operator()(const FieldTable& t) const { return FieldTableJson(t); }
  };
  return std::visit(Visitor{}, value.variant());
}

std::string FieldTableJson(const FieldTable& table) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : table) {
    if (!first) out += ",";
    first = false;
    out += JsonQuote(IsUtf8(key) ? key : "<binary>") + ":" + FieldValueJson(value);
  }
  return out + "}";
}

Status CheckJson(std::string_view text) {
  google::protobuf::Value value;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &value);
  if (!parsed.ok()) {
    return InvalidArgumentError(fmt::format("not JSON: {}", parsed.message().as_string()));
  }
  return OkStatus();
}

}  // namespace brokrpc::cli
