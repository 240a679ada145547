#include "base/uuid.h"

#include <cstdint>
#include <random>

namespace brokrpc::internal {

std::string NewUuidHex() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) out[i] = kHex[(hi >> (60 - 4 * i)) & 0xF];
  for (int i = 0; i < 16; ++i) out[16 + i] = kHex[(lo >> (60 - 4 * i)) & 0xF];
  return out;
}

}  // namespace brokrpc::internal
