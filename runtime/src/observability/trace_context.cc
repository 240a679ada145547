#include "brokrpc/trace_context.h"

#include <cstdint>
#include <random>

namespace brokrpc {
namespace {

uint64_t RandomWord() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  uint64_t v = 0;
  while (v == 0) v = rng();  // W3C: an all-zero id is invalid
  return v;
}

void AppendHex(uint64_t v, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xF]);
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

TraceContext TraceContext::NewRoot() {
  TraceContext t;
  t.trace_id_.reserve(32);
  AppendHex(RandomWord(), 16, &t.trace_id_);
  AppendHex(RandomWord(), 16, &t.trace_id_);
  t.span_id_.reserve(16);
  AppendHex(RandomWord(), 16, &t.span_id_);
  t.flags_ = 1;
  return t;
}

TraceContext TraceContext::NewChild() const {
  TraceContext t = *this;
  t.span_id_.clear();
  AppendHex(RandomWord(), 16, &t.span_id_);
  return t;
}

std::optional<TraceContext> TraceContext::Parse(std::string_view tp, std::string_view tracestate) {
  // version "-" trace-id "-" parent-id "-" trace-flags; a later version may append "-" fields.
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return std::nullopt;
  std::string_view version = tp.substr(0, 2), trace = tp.substr(3, 32), span = tp.substr(36, 16),
                   flags = tp.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace) || !IsLowerHex(span) ||
      !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "00" && tp.size() != 55) return std::nullopt;
  if (version != "00" && tp.size() > 55 && tp[55] != '-') return std::nullopt;
  if (AllZero(trace) || AllZero(span)) return std::nullopt;
  TraceContext t;
  t.trace_id_ = std::string(trace);
  t.span_id_ = std::string(span);
  t.flags_ = static_cast<unsigned>(std::stoul(std::string(flags), nullptr, 16));
  t.tracestate_ = std::string(tracestate);
  return t;
}

std::string TraceContext::ToTraceparent() const {
  std::string out;
  out.reserve(55);
  out += "00-";
  out += trace_id_;
  out += '-';
  out += span_id_;
  out += '-';
  AppendHex(flags_ & 0xFF, 2, &out);
  return out;
}

}  // namespace brokrpc
