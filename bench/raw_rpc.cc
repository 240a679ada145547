#include "raw_rpc.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace bench {
namespace {

void Check(amqp_rpc_reply_t r, const char* what) {
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    std::fprintf(stderr, "raw rabbitmq-c: %s failed (reply type %d)\n", what, r.reply_type);
    std::abort();
  }
}

amqp_connection_state_t Open(const std::string& host, int port) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  if (amqp_socket_open(socket, host.c_str(), port) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "raw rabbitmq-c: cannot connect to %s:%d\n", host.c_str(), port);
    std::abort();
  }
  Check(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
  amqp_channel_open(conn, 1);
  Check(amqp_get_rpc_reply(conn), "channel.open");
  return conn;
}

void Close(amqp_connection_state_t conn) {
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
}

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

}  // namespace

RawServer::RawServer(const std::string& host, int port, const std::string& exchange,
                     const std::string& queue)
    : host_(host), port_(port), exchange_(exchange), queue_(queue), thread_([this] { Run(); }) {
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
  amqp_basic_qos(conn, 1, 0, 64, 0);
  amqp_basic_consume(conn, 1, Bytes(queue_), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "basic.consume");
  ready_ = true;
  timeval tick{0, 100000};
  while (!stop_) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tick, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) break;
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.correlation_id = env.message.properties.correlation_id;
    props.content_type = env.message.properties.content_type;
    amqp_basic_publish(conn, 1, env.exchange, env.message.properties.reply_to, 0, 0, &props,
                       env.message.body);
    amqp_basic_ack(conn, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
  }
  Close(conn);
}

struct RawClient::State {
  amqp_connection_state_t conn;
};

RawClient::RawClient(const std::string& host, int port, const std::string& exchange,
                     const std::string& routing_key)
    : state_(new State{Open(host, port)}), exchange_(exchange), routing_key_(routing_key) {
  amqp_connection_state_t conn = state_->conn;
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(conn, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.declare (reply)");
  reply_queue_.assign(static_cast<char*>(ok->queue.bytes), ok->queue.len);
  amqp_queue_bind(conn, 1, Bytes(reply_queue_), Bytes(exchange_), Bytes(reply_queue_),
                  amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "queue.bind (reply)");
  amqp_basic_consume(conn, 1, Bytes(reply_queue_), amqp_empty_bytes, 0, 0, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(conn), "basic.consume (reply)");
}

RawClient::~RawClient() {
  Close(state_->conn);
  delete state_;
}

void RawClient::Publish(const std::string& correlation_id, const std::string& payload) {
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.correlation_id = Bytes(correlation_id);
  props.reply_to = Bytes(reply_queue_);
  props.content_type = amqp_cstring_bytes("application/protobuf");
  amqp_basic_publish(state_->conn, 1, Bytes(exchange_), Bytes(routing_key_), 0, 0, &props,
                     Bytes(payload));
}

std::string RawClient::Receive() {
  amqp_envelope_t env;
  amqp_maybe_release_buffers(state_->conn);
  Check(amqp_consume_message(state_->conn, &env, nullptr, 0), "consume reply");
  std::string id(static_cast<char*>(env.message.properties.correlation_id.bytes),
                 env.message.properties.correlation_id.len);
  amqp_basic_ack(state_->conn, 1, env.delivery_tag, 0);
  amqp_destroy_envelope(&env);
  return id;
}

std::vector<double> RawClient::Sequential(int calls, const std::string& payload) {
  std::vector<double> us;
  us.reserve(calls);
  char id[32];
  for (int i = 0; i < calls; ++i) {
    std::snprintf(id, sizeof(id), "%d", i);
    auto start = std::chrono::steady_clock::now();
    Publish(id, payload);
    while (Receive() != id) {
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  return us;
}

double RawClient::Throughput(int calls, int in_flight, const std::string& payload) {
  char id[32];
  int sent = 0, received = 0;
  auto start = std::chrono::steady_clock::now();
  for (; sent < in_flight && sent < calls; ++sent) {
    std::snprintf(id, sizeof(id), "%d", sent);
    Publish(id, payload);
  }
  while (received < calls) {
    Receive();
    ++received;
    if (sent < calls) {
      std::snprintf(id, sizeof(id), "%d", sent++);
      Publish(id, payload);
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return calls / seconds;
}

double RawPublishConsumeRate(const std::string& host, int port, int count,
                             const std::string& payload) {
  amqp_connection_state_t consumer = Open(host, port);
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(consumer, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(consumer), "queue.declare (flood)");
  std::string queue(static_cast<char*>(ok->queue.bytes), ok->queue.len);
  amqp_basic_qos(consumer, 1, 0, 64, 0);
  amqp_basic_consume(consumer, 1, Bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  Check(amqp_get_rpc_reply(consumer), "basic.consume (flood)");
  auto start = std::chrono::steady_clock::now();
  std::thread publisher([&] {
    amqp_connection_state_t conn = Open(host, port);
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.content_type = amqp_cstring_bytes("application/protobuf");
    for (int i = 0; i < count; ++i) {
      amqp_basic_publish(conn, 1, amqp_empty_bytes, Bytes(queue), 0, 0, &props, Bytes(payload));
    }
    Close(conn);
  });
  for (int received = 0; received < count; ++received) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(consumer);
    Check(amqp_consume_message(consumer, &env, nullptr, 0), "consume (flood)");
    amqp_basic_ack(consumer, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  publisher.join();
  Close(consumer);
  return count / seconds;
}

}  // namespace bench
