// BrokerUrl: a parsed broker URL (amqp://, amqps://, memory://).
#ifndef BROKRPC_SRC_TRANSPORT_BROKER_URL_H_
#define BROKRPC_SRC_TRANSPORT_BROKER_URL_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokrpc/queue_type.h"
#include "brokrpc/status_or.h"

namespace brokrpc::internal {

// One broker address.
struct HostPort {
  std::string host;
  int port = 0;
};

// What a URL says. The password is kept only here and never printed (see Redacted()).
struct BrokerUrl {
  enum class Scheme { kAmqp, kAmqps, kMemory };

  Scheme scheme = Scheme::kAmqp;
  // amqp(s): one or more hosts ("h1:5672,h2:5673"); memory: unused.
  std::vector<HostPort> hosts;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  // memory://<name>
  std::string memory_name;
  std::chrono::seconds heartbeat{60};
  std::chrono::seconds connection_timeout{30};
  // Connection name shown by RabbitMQ (client property connection_name).
  std::string connection_name;
  // TLS (amqps).
  std::string ca_cert_file;
  std::string cert_file;
  std::string key_file;
  bool verify_peer = true;
  bool verify_hostname = true;
  // AMQP frame size asked for at login (bodies larger than it are split into frames).
  size_t frame_max = 131072;
  // Largest message body sent or accepted, in bytes (default 64 MiB).
  size_t max_message_size = 64 * 1024 * 1024;
  // Reconnect after a lost connection, with jittered exponential backoff between attempts.
  bool reconnect = true;
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{5000};
  // ?queue_type=classic|quorum: the default type of server queues (see BrokerOptions).
  std::optional<QueueType> queue_type;

  // The URL with the password replaced by "***".
  std::string Redacted() const;
};

// Parses `url`. Errors are INVALID_ARGUMENT and name the bad part, never the password.
StatusOr<BrokerUrl> ParseBrokerUrl(std::string_view url);

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_TRANSPORT_BROKER_URL_H_
