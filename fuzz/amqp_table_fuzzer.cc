// libFuzzer target: arbitrary bytes as an encoded AMQP field table and as encoded basic
// properties, decoded by rabbitmq-c and converted by brokrpc. A decoded table must survive
// brokrpc's encode -> rabbitmq-c's wire encoding -> decode unchanged (compared as wire bytes,
// so that NaN floats compare equal); a difference aborts, which libFuzzer reports.
#include <amqp.h>
#include <amqp_framing.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "amqp/amqp_properties.h"

namespace {

// `table` encoded by brokrpc and then by rabbitmq-c onto the wire; nullopt if too large.
std::optional<std::string> WireBytes(const brokrpc::FieldTable& table, size_t room) {
  brokrpc::internal::AmqpArena arena;
  amqp_table_t encoded = brokrpc::internal::EncodeTable(table, &arena);
  std::vector<char> buffer(room);
  amqp_bytes_t out{buffer.size(), buffer.data()};
  size_t offset = 0;
  if (amqp_encode_table(out, &encoded, &offset) != AMQP_STATUS_OK) return std::nullopt;
  return std::string(buffer.data(), offset);
}

// Decodes wire bytes back into a brokrpc table.
brokrpc::FieldTable FromWire(const std::string& bytes) {
  brokrpc::internal::AmqpArena arena;
  amqp_bytes_t in{bytes.size(), const_cast<char*>(bytes.data())};
  amqp_table_t table;
  size_t offset = 0;
  if (amqp_decode_table(in, arena.pool(), &table, &offset) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "brokrpc encoded a table that rabbitmq-c cannot decode\n");
    std::abort();
  }
  return brokrpc::internal::DecodeTable(table);
}

void CheckTableRoundTrip(const brokrpc::FieldTable& decoded, size_t input_size) {
  // Integers widen to 64 bits when re-encoded: leave room for that.
  const size_t room = input_size * 9 + 64;
  std::optional<std::string> first = WireBytes(decoded, room);
  if (!first) return;
  std::optional<std::string> second = WireBytes(FromWire(*first), room);
  if (second != first) {
    std::fprintf(stderr, "field table changed in an encode/decode round trip\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  brokrpc::internal::AmqpArena arena;
  amqp_bytes_t encoded{size, const_cast<uint8_t*>(data)};
  amqp_table_t table;
  size_t offset = 0;
  if (amqp_decode_table(encoded, arena.pool(), &table, &offset) == AMQP_STATUS_OK) {
    CheckTableRoundTrip(brokrpc::internal::DecodeTable(table), size);
  }
  void* props = nullptr;
  if (amqp_decode_properties(AMQP_BASIC_CLASS, arena.pool(), encoded, &props) == AMQP_STATUS_OK &&
      props != nullptr) {
    brokrpc::MessageProperties p =
        brokrpc::internal::DecodeProperties(*static_cast<amqp_basic_properties_t*>(props));
    brokrpc::internal::AmqpArena out;
    amqp_basic_properties_t again;
    brokrpc::internal::EncodeProperties(p, &out, &again);
    brokrpc::MessageProperties back = brokrpc::internal::DecodeProperties(again);
    CheckTableRoundTrip(p.headers, size);
    back.headers = p.headers = {};  // (compared above as wire bytes: NaN != NaN)
    if (back != p) {
      std::fprintf(stderr, "basic properties changed in an encode/decode round trip\n");
      std::abort();
    }
  }
  return 0;
}
