#include "amqp/amqp_connection.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "amqp/amqp_error.h"
#include "amqp/amqp_properties.h"
#include "amqp/connect_probe.h"
#include "transport/reply_code.h"

namespace brokrpc::internal {
namespace {

// How long the diagnosis of a failed connect may take (a socket error is nearly always
// immediate: refused, unreachable).
constexpr std::chrono::milliseconds kProbeTimeout{1000};

timeval ToTimeval(std::chrono::seconds s) { return timeval{static_cast<time_t>(s.count()), 0}; }

Status SetUpTls(amqp_socket_t* socket, const BrokerUrl& url, const std::string& where) {
  if (!url.ca_cert_file.empty()) {
    int rc = amqp_ssl_socket_set_cacert(socket, url.ca_cert_file.c_str());
    if (rc != AMQP_STATUS_OK) {
      return InvalidArgumentError(fmt::format("TLS to {}: cannot load CA certificate '{}': {}",
                                              where, url.ca_cert_file, amqp_error_string2(rc)));
    }
  }
  if (!url.cert_file.empty() || !url.key_file.empty()) {
    int rc = amqp_ssl_socket_set_key(socket, url.cert_file.c_str(), url.key_file.c_str());
    if (rc != AMQP_STATUS_OK) {
      return InvalidArgumentError(
          fmt::format("TLS to {}: cannot load client certificate '{}' / key '{}': {}", where,
                      url.cert_file, url.key_file, amqp_error_string2(rc)));
    }
  }
  amqp_ssl_socket_set_verify_peer(socket, url.verify_peer ? 1 : 0);
  amqp_ssl_socket_set_verify_hostname(socket, url.verify_hostname ? 1 : 0);
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<AmqpConnection>> AmqpConnection::Open(const BrokerUrl& url,
                                                               size_t first_host) {
  if (url.hosts.empty()) return UnavailableError("no broker host in the URL");
  Status last;
  std::string tried;  // every host's failure, for the error when all fail
  for (size_t i = 0; i < url.hosts.size(); ++i) {
    const size_t index = (first_host + i) % url.hosts.size();
    auto conn = OpenOne(url, url.hosts[index]);
    if (conn.ok()) {
      (*conn)->host_index_ = index;
      return conn;
    }
    last = conn.status();
    // A refused login, a vhost the user may not open or a bad TLS file will not get better on
    // the next host.
    if (last.code() == StatusCode::kUnauthenticated ||
        last.code() == StatusCode::kPermissionDenied ||
        last.code() == StatusCode::kInvalidArgument) {
      return last;
    }
    tried += (tried.empty() ? "" : "; ") + std::string(last.message());
  }
  if (url.hosts.size() == 1) return last;
  return Status(last.code(), fmt::format("no broker host reachable: {}", tried));
}

StatusOr<std::unique_ptr<AmqpConnection>> AmqpConnection::OpenOne(const BrokerUrl& url,
                                                                  const HostPort& host) {
  std::string where = fmt::format("{}:{}", host.host, host.port);
  amqp_connection_state_t state = amqp_new_connection();
  if (state == nullptr) return ResourceExhaustedError("amqp_new_connection failed");
  std::unique_ptr<AmqpConnection> conn(new AmqpConnection(state, where));
  conn->closed_ = true;  // nothing to close politely until login succeeds

  bool tls = url.scheme == BrokerUrl::Scheme::kAmqps;
  amqp_socket_t* socket = tls ? amqp_ssl_socket_new(state) : amqp_tcp_socket_new(state);
  if (socket == nullptr) return ResourceExhaustedError("cannot create a socket");
  if (tls) BROKRPC_RETURN_IF_ERROR(SetUpTls(socket, url, where));

  timeval timeout = ToTimeval(url.connection_timeout);
  errno = 0;
  int rc = amqp_socket_open_noblock(socket, host.host.c_str(), host.port, &timeout);
  if (rc != AMQP_STATUS_OK) {
    int err = errno;
    std::string detail = amqp_error_string2(rc);
    // errno is only meaningful for a socket error, and EINPROGRESS is the non-blocking
    // connect's own state, not the reason.
    if (rc == AMQP_STATUS_SOCKET_ERROR) {
      std::string reason = err != 0 && err != EINPROGRESS
                               ? std::strerror(err)
                               : ProbeConnectFailure(host.host, host.port, kProbeTimeout);
      if (!reason.empty()) detail += fmt::format(" ({})", reason);
    }
    if (rc == AMQP_STATUS_SSL_CONNECTION_FAILED || rc == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED ||
        rc == AMQP_STATUS_SSL_PEER_VERIFY_FAILED) {
      return UnavailableError(fmt::format("TLS handshake with {} failed: {}", where, detail));
    }
    return UnavailableError(fmt::format("connect to {}: {}", where, detail));
  }
  amqp_set_handshake_timeout(state, &timeout);
  amqp_set_rpc_timeout(state, &timeout);

  // Client properties: RabbitMQ shows connection_name; capabilities turn on basic.cancel
  // notifications, nacks and blocked notices.
  FieldTable capabilities{{"publisher_confirms", true},
                          {"consumer_cancel_notify", true},
                          {"basic.nack", true},
                          {"connection.blocked", true},
                          {"authentication_failure_close", true}};
  FieldTable properties{{"product", "brokrpc-cpp"}, {"capabilities", capabilities}};
  if (!url.connection_name.empty()) properties.Set("connection_name", url.connection_name);
  AmqpArena arena;
  amqp_table_t props = EncodeTable(properties, &arena);

  amqp_rpc_reply_t reply =
      amqp_login_with_properties(state, url.vhost.c_str(), 0, static_cast<int>(url.frame_max),
                                 static_cast<int>(url.heartbeat.count()), &props,
                                 AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str());
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    std::string op = fmt::format("login to {} as '{}' (vhost '{}')", where, url.user, url.vhost);
    Status s = StatusFromReply(op, reply);
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
      int code = 0;
      std::string text;
      if (CloseReason(reply.reply, &code, &text) && code == kReplyAccessRefused) {
        return UnauthenticatedError(s.message());
      }
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_CONNECTION_CLOSED) {
      return UnauthenticatedError(
          fmt::format("{}: the broker closed the connection during login (bad credentials?)", op));
    }
    return s;
  }
  conn->closed_ = false;
  return conn;
}

void AmqpConnection::Close(bool graceful) {
  if (closed_) return;
  closed_ = true;
  if (graceful) {
    timeval quick{2, 0};
    amqp_set_rpc_timeout(state_, &quick);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
}

AmqpConnection::~AmqpConnection() {
  Close(false);
  amqp_destroy_connection(state_);
}

}  // namespace brokrpc::internal
