#include "amqp/amqp_properties.h"

#include <cstring>
#include <variant>

namespace brokrpc::internal {
namespace {

amqp_field_value_t EncodeValue(const FieldValue& value, AmqpArena* arena);

amqp_array_t EncodeArray(const FieldArray& array, AmqpArena* arena) {
  amqp_array_t out{};
  out.num_entries = static_cast<int>(array.size());
  if (array.empty()) return out;
  out.entries = static_cast<amqp_field_value_t*>(
      amqp_pool_alloc(arena->pool(), sizeof(amqp_field_value_t) * array.size()));
  for (size_t i = 0; i < array.size(); ++i) out.entries[i] = EncodeValue(array[i], arena);
  return out;
}

amqp_field_value_t EncodeValue(const FieldValue& value, AmqpArena* arena) {
  amqp_field_value_t out{};
  struct Visitor {
    amqp_field_value_t* out;
    AmqpArena* arena;
    void operator()(std::monostate) const { out->kind = AMQP_FIELD_KIND_VOID; }
    void operator()(bool v) const {
      out->kind = AMQP_FIELD_KIND_BOOLEAN;
      out->value.boolean = v ? 1 : 0;
    }
    void operator()(int64_t v) const {
      out->kind = AMQP_FIELD_KIND_I64;
      out->value.i64 = v;
    }
    void operator()(double v) const {
      out->kind = AMQP_FIELD_KIND_F64;
      out->value.f64 = v;
    }
    void operator()(const std::string& v) const {
      out->kind = AMQP_FIELD_KIND_UTF8;
      out->value.bytes = BytesView(v);
    }
    void operator()(const FieldArray& v) const {
      out->kind = AMQP_FIELD_KIND_ARRAY;
      out->value.array = EncodeArray(v, arena);
    }
    void operator()(const FieldTable& v) const {
      out->kind = AMQP_FIELD_KIND_TABLE;
      out->value.table = EncodeTable(v, arena);
    }
  };
  std::visit(Visitor{&out, arena}, value.variant());
  return out;
}

FieldValue DecodeValue(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
      return FieldValue(v.value.boolean != 0);
    case AMQP_FIELD_KIND_I8:
      return FieldValue(static_cast<int64_t>(v.value.i8));
    case AMQP_FIELD_KIND_U8:
      return FieldValue(static_cast<int64_t>(v.value.u8));
    case AMQP_FIELD_KIND_I16:
      return FieldValue(static_cast<int64_t>(v.value.i16));
    case AMQP_FIELD_KIND_U16:
      return FieldValue(static_cast<int64_t>(v.value.u16));
    case AMQP_FIELD_KIND_I32:
      return FieldValue(static_cast<int64_t>(v.value.i32));
    case AMQP_FIELD_KIND_U32:
      return FieldValue(static_cast<int64_t>(v.value.u32));
    case AMQP_FIELD_KIND_I64:
      return FieldValue(static_cast<int64_t>(v.value.i64));
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return FieldValue(static_cast<int64_t>(v.value.u64));
    case AMQP_FIELD_KIND_F32:
      return FieldValue(static_cast<double>(v.value.f32));
    case AMQP_FIELD_KIND_F64:
      return FieldValue(v.value.f64);
    case AMQP_FIELD_KIND_DECIMAL: {
      double d = v.value.decimal.value;
      for (int i = 0; i < v.value.decimal.decimals; ++i) d /= 10.0;
      return FieldValue(d);
    }
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return FieldValue(ToString(v.value.bytes));
    case AMQP_FIELD_KIND_ARRAY: {
      FieldArray array;
      array.reserve(v.value.array.num_entries);
      for (int i = 0; i < v.value.array.num_entries; ++i) {
        array.push_back(DecodeValue(v.value.array.entries[i]));
      }
      return FieldValue(std::move(array));
    }
    case AMQP_FIELD_KIND_TABLE:
      return FieldValue(DecodeTable(v.value.table));
    default:
      return FieldValue();
  }
}

}  // namespace

amqp_table_t EncodeTable(const FieldTable& table, AmqpArena* arena) {
  amqp_table_t out{};
  out.num_entries = static_cast<int>(table.size());
  if (table.empty()) return out;
  out.entries = static_cast<amqp_table_entry_t*>(
      amqp_pool_alloc(arena->pool(), sizeof(amqp_table_entry_t) * table.size()));
  int i = 0;
  for (const auto& [key, value] : table) {
    out.entries[i].key = BytesView(key);
    out.entries[i].value = EncodeValue(value, arena);
    ++i;
  }
  return out;
}

FieldTable DecodeTable(const amqp_table_t& table) {
  FieldTable out;
  for (int i = 0; i < table.num_entries; ++i) {
    out.Set(ToString(table.entries[i].key), DecodeValue(table.entries[i].value));
  }
  return out;
}

void EncodeProperties(const MessageProperties& p, AmqpArena* arena, amqp_basic_properties_t* out) {
  std::memset(out, 0, sizeof(*out));
  auto set_bytes = [&](const std::optional<std::string>& v, amqp_bytes_t* field, uint32_t flag) {
    if (!v) return;
    *field = BytesView(*v);
    out->_flags |= flag;
  };
  set_bytes(p.content_type, &out->content_type, AMQP_BASIC_CONTENT_TYPE_FLAG);
  set_bytes(p.content_encoding, &out->content_encoding, AMQP_BASIC_CONTENT_ENCODING_FLAG);
  set_bytes(p.correlation_id, &out->correlation_id, AMQP_BASIC_CORRELATION_ID_FLAG);
  set_bytes(p.reply_to, &out->reply_to, AMQP_BASIC_REPLY_TO_FLAG);
  set_bytes(p.expiration, &out->expiration, AMQP_BASIC_EXPIRATION_FLAG);
  set_bytes(p.message_id, &out->message_id, AMQP_BASIC_MESSAGE_ID_FLAG);
  set_bytes(p.type, &out->type, AMQP_BASIC_TYPE_FLAG);
  set_bytes(p.user_id, &out->user_id, AMQP_BASIC_USER_ID_FLAG);
  set_bytes(p.app_id, &out->app_id, AMQP_BASIC_APP_ID_FLAG);
  if (!p.headers.empty()) {
    out->headers = EncodeTable(p.headers, arena);
    out->_flags |= AMQP_BASIC_HEADERS_FLAG;
  }
  if (p.delivery_mode) {
    out->delivery_mode = static_cast<uint8_t>(*p.delivery_mode);
    out->_flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
  }
  if (p.priority) {
    out->priority = *p.priority;
    out->_flags |= AMQP_BASIC_PRIORITY_FLAG;
  }
  if (p.timestamp) {
    out->timestamp = static_cast<uint64_t>(*p.timestamp);
    out->_flags |= AMQP_BASIC_TIMESTAMP_FLAG;
  }
}

MessageProperties DecodeProperties(const amqp_basic_properties_t& in) {
  MessageProperties p;
  auto get = [&](amqp_bytes_t field, uint32_t flag, std::optional<std::string>* v) {
    if (in._flags & flag) *v = ToString(field);
  };
  get(in.content_type, AMQP_BASIC_CONTENT_TYPE_FLAG, &p.content_type);
  get(in.content_encoding, AMQP_BASIC_CONTENT_ENCODING_FLAG, &p.content_encoding);
  get(in.correlation_id, AMQP_BASIC_CORRELATION_ID_FLAG, &p.correlation_id);
  get(in.reply_to, AMQP_BASIC_REPLY_TO_FLAG, &p.reply_to);
  get(in.expiration, AMQP_BASIC_EXPIRATION_FLAG, &p.expiration);
  get(in.message_id, AMQP_BASIC_MESSAGE_ID_FLAG, &p.message_id);
  get(in.type, AMQP_BASIC_TYPE_FLAG, &p.type);
  get(in.user_id, AMQP_BASIC_USER_ID_FLAG, &p.user_id);
  get(in.app_id, AMQP_BASIC_APP_ID_FLAG, &p.app_id);
  if (in._flags & AMQP_BASIC_HEADERS_FLAG) p.headers = DecodeTable(in.headers);
  if (in._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) {
    p.delivery_mode = static_cast<DeliveryMode>(in.delivery_mode);
  }
  if (in._flags & AMQP_BASIC_PRIORITY_FLAG) p.priority = in.priority;
  if (in._flags & AMQP_BASIC_TIMESTAMP_FLAG) p.timestamp = static_cast<int64_t>(in.timestamp);
  return p;
}

}  // namespace brokrpc::internal
