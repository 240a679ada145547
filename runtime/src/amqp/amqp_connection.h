// AmqpConnection: RAII owner of one rabbitmq-c connection (socket, TLS, login).
#ifndef BROKRPC_SRC_AMQP_AMQP_CONNECTION_H_
#define BROKRPC_SRC_AMQP_AMQP_CONNECTION_H_

#include <amqp.h>

#include <chrono>
#include <memory>

#include "brokrpc/status_or.h"
#include "transport/broker_url.h"

namespace brokrpc::internal {

// An open, logged-in connection. Move-only; the destructor closes it. Not thread-safe: it
// belongs to the I/O thread that opened it.
class AmqpConnection {
 public:
  // Tries each host of `url` in order, starting with host `first_host` (modulo their number);
  // the error of the last one is returned (naming host:port, never the password).
  static StatusOr<std::unique_ptr<AmqpConnection>> Open(const BrokerUrl& url,
                                                        size_t first_host = 0);

  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t state() const { return state_; }
  int fd() const { return amqp_get_sockfd(state_); }
  std::chrono::seconds heartbeat() const {
    return std::chrono::seconds(amqp_get_heartbeat(state_));
  }
  int channel_max() const { return amqp_get_channel_max(state_); }
  int frame_max() const { return amqp_get_frame_max(state_); }
  // "host:port" of the broker this connection reached.
  const std::string& peer() const { return peer_; }
  // The index of that host in the URL's host list.
  size_t host_index() const { return host_index_; }

  // Sends connection.close and waits briefly for close-ok (skipped when `graceful` is false or
  // the socket is already dead). Idempotent.
  void Close(bool graceful);

 private:
  AmqpConnection(amqp_connection_state_t state, std::string peer)
      : state_(state), peer_(std::move(peer)) {}
  static StatusOr<std::unique_ptr<AmqpConnection>> OpenOne(const BrokerUrl& url,
                                                           const HostPort& host);

  amqp_connection_state_t state_;
  std::string peer_;
  size_t host_index_ = 0;
  bool closed_ = false;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_AMQP_CONNECTION_H_
