// Conversions between brokrpc messages / field tables and rabbitmq-c's C structures.
#ifndef BROKRPC_SRC_AMQP_AMQP_PROPERTIES_H_
#define BROKRPC_SRC_AMQP_AMQP_PROPERTIES_H_

#include <amqp.h>

#include <string>

#include "brokrpc/field_table.h"
#include "brokrpc/message.h"

namespace brokrpc::internal {

// Owns the memory that encoded C structures point into. Reset() frees it.
class AmqpArena {
 public:
  AmqpArena() { init_amqp_pool(&pool_, 4096); }
  ~AmqpArena() { empty_amqp_pool(&pool_); }
  AmqpArena(const AmqpArena&) = delete;
  AmqpArena& operator=(const AmqpArena&) = delete;

  amqp_pool_t* pool() { return &pool_; }
  void Reset() { recycle_amqp_pool(&pool_); }

 private:
  amqp_pool_t pool_;
};

// A view of `s` (no copy): valid while `s` lives.
inline amqp_bytes_t BytesView(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
inline std::string ToString(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

// Encodes `table` into `arena` (strings are viewed, not copied: `table` must outlive the result).
amqp_table_t EncodeTable(const FieldTable& table, AmqpArena* arena);
FieldTable DecodeTable(const amqp_table_t& table);

// Fills `out` (flags included) from `props`; views into `props` and `arena`.
void EncodeProperties(const MessageProperties& props, AmqpArena* arena,
                      amqp_basic_properties_t* out);
MessageProperties DecodeProperties(const amqp_basic_properties_t& props);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_AMQP_PROPERTIES_H_
