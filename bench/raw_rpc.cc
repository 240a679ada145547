#include "raw_rpc.h"

#include <amqp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <utility>

#include "raw_amqp.h"

namespace bench {
namespace {

constexpr char kContentType[] = "application/protobuf";
constexpr char kRequestType[] = "brokrpc.bench.PingRequest";
constexpr char kReplyType[] = "brokrpc.bench.PingReply";
constexpr char kDeadlineHeader[] = "x-brokrpc-deadline";
constexpr int64_t kTimeoutMs = 30000;  // brokrpc's default call timeout

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "raw rabbitmq-c: %s\n", what);
  std::abort();
}

// Reads the method frame that amqp_consume_message() left in place (it reports
// AMQP_STATUS_UNEXPECTED_STATE for anything but a delivery); false on a socket error.
bool NextMethod(amqp_connection_state_t conn, amqp_frame_t* frame) {
  if (amqp_simple_wait_frame(conn, frame) != AMQP_STATUS_OK) return false;
  return true;
}

bool IsUnexpectedFrame(const amqp_rpc_reply_t& r) {
  return r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
         r.library_error == AMQP_STATUS_UNEXPECTED_STATE;
}

// The x-brokrpc-deadline header of `props` (epoch ms), or -1.
int64_t DeadlineOf(const amqp_basic_properties_t& props) {
  if ((props._flags & AMQP_BASIC_HEADERS_FLAG) == 0) return -1;
  const size_t key_len = sizeof(kDeadlineHeader) - 1;
  for (int i = 0; i < props.headers.num_entries; ++i) {
    const amqp_table_entry_t& e = props.headers.entries[i];
    if (e.key.len == key_len && std::memcmp(e.key.bytes, kDeadlineHeader, key_len) == 0 &&
        e.value.kind == AMQP_FIELD_KIND_I64) {
      return e.value.value.i64;
    }
  }
  return -1;
}

}  // namespace

// ---------------------------------------------------------------- server

RawServer::RawServer(const std::string& host, int port, const std::string& exchange,
                     const std::string& queue, RawContract contract)
    : host_(host),
      port_(port),
      exchange_(exchange),
      queue_(queue),
      contract_(contract),
      thread_([this] { Run(); }) {
  while (!ready_) std::this_thread::yield();
}

RawServer::~RawServer() { Stop(); }

void RawServer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void RawServer::Run() {
  amqp_connection_state_t conn = Open(host_, port_);
  amqp_exchange_declare(conn, 1, Bytes(exchange_), amqp_cstring_bytes("direct"), 0, 0, 1, 0,
                        amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "exchange.declare");
  amqp_queue_declare(conn, 1, Bytes(queue_), 0, 0, 0, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.declare");
  amqp_queue_bind(conn, 1, Bytes(queue_), Bytes(exchange_), Bytes(queue_), amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.bind");
  if (contract_.reply_confirms) {
    amqp_confirm_select(conn, 1);
    Check(amqp_get_rpc_reply(conn), "confirm.select (server)");
  }
  amqp_basic_qos(conn, 1, 0, 64, 0);
  amqp_basic_consume(conn, 1, Bytes(queue_), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "basic.consume");
  ready_ = true;
  // With reply_confirms: (publish sequence number of a reply, delivery tag of its request).
  std::deque<std::pair<uint64_t, uint64_t>> unconfirmed;
  uint64_t next_seq = 1;
  auto confirmed = [&](uint64_t tag, bool multiple) {
    for (auto it = unconfirmed.begin(); it != unconfirmed.end();) {
      if (it->first == tag || (multiple && it->first < tag)) {
        amqp_basic_ack(conn, 1, it->second, 0);
        it = unconfirmed.erase(it);
      } else if (it->first > tag) {
        break;
      } else {
        ++it;
      }
    }
  };
  timeval tick{0, 100000};
  while (!stop_) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tick, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (IsUnexpectedFrame(r)) {
      amqp_frame_t frame;
      if (!NextMethod(conn, &frame)) break;
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        confirmed(ack->delivery_tag, ack->multiple != 0);
      } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        // brokrpc acks the request whether or not its reply was confirmed.
        auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
        confirmed(nack->delivery_tag, nack->multiple != 0);
      } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
        Fail("the server's channel was closed by the broker");
      }
      continue;
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) break;
    const amqp_basic_properties_t& in = env.message.properties;
    if (contract_.ids &&
        (in._flags & (AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG)) !=
            (AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG)) {
      amqp_basic_reject(conn, 1, env.delivery_tag, 0);
      amqp_destroy_envelope(&env);
      continue;
    }
    if (contract_.deadline) {
      int64_t deadline = DeadlineOf(in);
      if (deadline >= 0 && NowEpochMillis() >= deadline) {  // expired: skip, do not run
        amqp_basic_ack(conn, 1, env.delivery_tag, 0);
        amqp_destroy_envelope(&env);
        continue;
      }
    }
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.correlation_id = in.correlation_id;
    props.content_type = in.content_type;
    std::string message_id;
    if (contract_.ids) {
      message_id = UuidHex();
      props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_TYPE_FLAG;
      props.message_id = Bytes(message_id);
      props.timestamp = static_cast<uint64_t>(NowEpochSeconds());
      props.type = amqp_cstring_bytes(kReplyType);
      props.content_type = amqp_cstring_bytes(kContentType);  // set, not copied, as brokrpc does
    }
    if (contract_.deadline && (in._flags & AMQP_BASIC_EXPIRATION_FLAG) != 0) {
      props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
      props.expiration = in.expiration;
    }
    // The reply goes out before the request's ack, on the channel the request came in on.
    amqp_basic_publish(conn, 1, env.exchange, in.reply_to, 0, 0, &props, env.message.body);
    if (contract_.reply_confirms) {
      unconfirmed.emplace_back(next_seq++, env.delivery_tag);
    } else {
      amqp_basic_ack(conn, 1, env.delivery_tag, 0);
    }
    amqp_destroy_envelope(&env);
  }
  Close(conn);
}

// ---------------------------------------------------------------- client

struct RawClient::State {
  static constexpr int kConfirmed = 1;
  static constexpr int kReplied = 2;
  static constexpr int kDone = kConfirmed | kReplied;

  explicit State(amqp_connection_state_t c) : conn(c) {}

  amqp_connection_state_t conn;
  // With request_confirms: publish sequence numbers not yet confirmed, in publish order, with
  // their calls' correlation ids; and the calls not yet complete (id -> kConfirmed | kReplied).
  uint64_t next_seq = 1;
  std::deque<std::pair<uint64_t, std::string>> unconfirmed;
  std::unordered_map<std::string, int> pending;
  // The calls completed by the last Pump().
  std::vector<std::string> completed;

  // Marks `id` with `bit`; moves it to `completed` once both bits are set.
  void Mark(const std::string& id, int bit) {
    auto it = pending.find(id);
    if (it == pending.end()) return;  // a reply nobody waits for
    it->second |= bit;
    if (it->second == kDone) {
      completed.push_back(id);
      pending.erase(it);
    }
  }

  void Confirmed(uint64_t tag, bool multiple) {
    if (multiple) {
      while (!unconfirmed.empty() && unconfirmed.front().first <= tag) {
        Mark(unconfirmed.front().second, kConfirmed);
        unconfirmed.pop_front();
      }
      return;
    }
    for (auto it = unconfirmed.begin(); it != unconfirmed.end(); ++it) {
      if (it->first == tag) {
        Mark(it->second, kConfirmed);
        unconfirmed.erase(it);
        return;
      }
    }
  }
};

RawClient::RawClient(const std::string& host, int port, const std::string& exchange,
                     const std::string& routing_key, RawContract contract)
    : state_(new State(Open(host, port))),
      contract_(contract),
      exchange_(exchange),
      routing_key_(routing_key) {
  amqp_connection_state_t conn = state_->conn;
  std::string name = contract_.ids ? "response." + UuidHex() : std::string();
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(conn, 1, Bytes(name), 0, 0, 1, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.declare (reply)");
  reply_queue_.assign(static_cast<char*>(ok->queue.bytes), ok->queue.len);
  amqp_queue_bind(conn, 1, Bytes(reply_queue_), Bytes(exchange_), Bytes(reply_queue_),
                  amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.bind (reply)");
  const int no_ack = contract_.reply_queue_acks ? 0 : 1;
  amqp_basic_consume(conn, 1, Bytes(reply_queue_), amqp_empty_bytes, 0, no_ack, 1,
                     amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "basic.consume (reply)");
  if (contract_.request_confirms) {
    amqp_confirm_select(conn, 1);
    Check(amqp_get_rpc_reply(conn), "confirm.select (client)");
  }
}

RawClient::~RawClient() {
  Close(state_->conn);
  delete state_;
}

std::string RawClient::NewId(int n) const { return contract_.ids ? UuidHex() : std::to_string(n); }

void RawClient::Publish(const std::string& correlation_id, const std::string& body) {
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.correlation_id = Bytes(correlation_id);
  props.reply_to = Bytes(reply_queue_);
  props.content_type = amqp_cstring_bytes(kContentType);
  std::string message_id;
  if (contract_.ids) {
    message_id = UuidHex();
    props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_TYPE_FLAG;
    props.message_id = Bytes(message_id);
    props.timestamp = static_cast<uint64_t>(NowEpochSeconds());
    props.type = amqp_cstring_bytes(kRequestType);
  }
  std::string expiration;
  amqp_table_entry_t deadline_header;
  if (contract_.deadline) {
    // As brokrpc: an absolute deadline, and the time left until it as the per-message TTL.
    int64_t deadline = NowEpochMillis() + kTimeoutMs;
    expiration = std::to_string(deadline - NowEpochMillis());
    deadline_header.key = amqp_cstring_bytes(kDeadlineHeader);
    deadline_header.value.kind = AMQP_FIELD_KIND_I64;
    deadline_header.value.value.i64 = deadline;
    props._flags |= AMQP_BASIC_EXPIRATION_FLAG | AMQP_BASIC_HEADERS_FLAG;
    props.expiration = Bytes(expiration);
    props.headers = amqp_table_t{1, &deadline_header};
  }
  if (amqp_basic_publish(state_->conn, 1, Bytes(exchange_), Bytes(routing_key_),
                         contract_.mandatory ? 1 : 0, 0, &props, Bytes(body)) != AMQP_STATUS_OK) {
    Fail("basic.publish failed");
  }
  if (contract_.request_confirms) {
    state_->unconfirmed.emplace_back(state_->next_seq++, correlation_id);
    state_->pending.emplace(correlation_id, 0);
  }
}

void RawClient::Pump() {
  State& s = *state_;
  s.completed.clear();
  amqp_envelope_t env;
  amqp_maybe_release_buffers(s.conn);
  amqp_rpc_reply_t r = amqp_consume_message(s.conn, &env, nullptr, 0);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) {
    std::string id(static_cast<char*>(env.message.properties.correlation_id.bytes),
                   env.message.properties.correlation_id.len);
    if (contract_.reply_queue_acks) amqp_basic_ack(s.conn, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
    if (contract_.request_confirms) {
      s.Mark(id, State::kReplied);
    } else {
      s.completed.push_back(std::move(id));
    }
    return;
  }
  if (!IsUnexpectedFrame(r)) Check(r, "consume reply");
  amqp_frame_t frame;
  if (!NextMethod(s.conn, &frame)) Fail("reading a frame failed");
  if (frame.frame_type != AMQP_FRAME_METHOD) return;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      s.Confirmed(ack->delivery_tag, ack->multiple != 0);
      return;
    }
    case AMQP_BASIC_NACK_METHOD:
      Fail("the broker nacked a request");
    case AMQP_BASIC_RETURN_METHOD:
      Fail("a mandatory request was returned (nobody consumes the server queue)");
    case AMQP_CHANNEL_CLOSE_METHOD:
      Fail("the client's channel was closed by the broker");
    default:
      return;
  }
}

std::vector<double> RawClient::Sequential(int calls, const std::string& body) {
  std::vector<double> us;
  us.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    std::string id = NewId(i);
    auto start = std::chrono::steady_clock::now();
    Publish(id, body);
    for (bool done = false; !done;) {
      Pump();
      for (const std::string& c : state_->completed) done = done || c == id;
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  return us;
}

double RawClient::Throughput(int calls, int in_flight, const std::string& body) {
  int sent = 0, finished = 0;
  auto start = std::chrono::steady_clock::now();
  for (; sent < in_flight && sent < calls; ++sent) Publish(NewId(sent), body);
  while (finished < calls) {
    Pump();
    for (size_t k = 0; k < state_->completed.size(); ++k) {
      ++finished;
      if (sent < calls) {
        Publish(NewId(sent), body);
        ++sent;
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return calls / seconds;
}

}  // namespace bench
