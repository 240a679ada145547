#include "transport/broker_url.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace brokrpc::internal {
namespace {

Status UrlError(std::string_view what) {
  return InvalidArgumentError(fmt::format("invalid broker URL: {}", what));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; `part` names the URL part for the error (never its value when secret).
StatusOr<std::string> PercentDecode(std::string_view in, std::string_view part) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return UrlError(fmt::format("truncated percent-escape in the {}", part));
    }
    int hi = HexDigit(in[i + 1]);
    int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return UrlError(fmt::format("bad percent-escape in the {}", part));
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

StatusOr<int64_t> ParseInt(std::string_view value, std::string_view what, int64_t min,
                           int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return UrlError(
        fmt::format("{} must be an integer in [{}, {}], got '{}'", what, min, max, value));
  }
  return v;
}

StatusOr<bool> ParseBool(std::string_view value, std::string_view what) {
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return UrlError(fmt::format("{} must be true or false, got '{}'", what, value));
}

Status ParseHosts(std::string_view hostlist, int default_port, std::vector<HostPort>* hosts) {
  size_t start = 0;
  while (start <= hostlist.size()) {
    size_t comma = hostlist.find(',', start);
    std::string_view item = hostlist.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    HostPort hp;
    hp.port = default_port;
    std::string_view host = item;
    std::string_view port;
    if (!item.empty() && item.front() == '[') {  // [ipv6]:port
      size_t close = item.find(']');
      if (close == std::string_view::npos) return UrlError("unterminated '[' in host");
      host = item.substr(1, close - 1);
      if (close + 1 < item.size()) {
        if (item[close + 1] != ':') return UrlError("expected ':' after ']' in host");
        port = item.substr(close + 2);
      }
    } else if (size_t colon = item.rfind(':'); colon != std::string_view::npos) {
      host = item.substr(0, colon);
      port = item.substr(colon + 1);
    }
    if (!port.empty()) {
      auto p = ParseInt(port, "port", 1, 65535);
      if (!p.ok()) return p.status();
      hp.port = static_cast<int>(*p);
    } else if (item.size() > 0 && item.back() == ':') {
      return UrlError("empty port");
    }
    auto decoded = PercentDecode(host, "host");
    if (!decoded.ok()) return decoded.status();
    hp.host = *decoded;
    if (hp.host.empty()) hp.host = "localhost";
    hosts->push_back(std::move(hp));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return OkStatus();
}

Status ApplyQuery(std::string_view query, BrokerUrl* url) {
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string_view pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    auto value_or = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1),
                                  fmt::format("query parameter '{}'", key));
    if (!value_or.ok()) return value_or.status();
    const std::string& value = *value_or;
    if (key == "heartbeat") {
      auto v = ParseInt(value, "heartbeat", 0, 65535);
      if (!v.ok()) return v.status();
      url->heartbeat = std::chrono::seconds(*v);
    } else if (key == "connection_timeout") {
      auto v = ParseInt(value, "connection_timeout", 1, 3600);
      if (!v.ok()) return v.status();
      url->connection_timeout = std::chrono::seconds(*v);
    } else if (key == "frame_max") {
      auto v = ParseInt(value, "frame_max", 4096, 1 << 30);
      if (!v.ok()) return v.status();
      url->frame_max = static_cast<size_t>(*v);
    } else if (key == "max_message_size") {
      auto v = ParseInt(value, "max_message_size", 1, int64_t{1} << 40);
      if (!v.ok()) return v.status();
      url->max_message_size = static_cast<size_t>(*v);
    } else if (key == "reconnect") {
      auto v = ParseBool(value, "reconnect");
      if (!v.ok()) return v.status();
      url->reconnect = *v;
    } else if (key == "reconnect_initial_ms") {
      auto v = ParseInt(value, "reconnect_initial_ms", 1, 3600000);
      if (!v.ok()) return v.status();
      url->reconnect_initial = std::chrono::milliseconds(*v);
    } else if (key == "reconnect_max_ms") {
      auto v = ParseInt(value, "reconnect_max_ms", 1, 3600000);
      if (!v.ok()) return v.status();
      url->reconnect_max = std::chrono::milliseconds(*v);
    } else if (key == "queue_type") {
      auto v = ParseQueueType(value);
      if (!v.ok()) return UrlError(fmt::format("queue_type: {}", v.status().message()));
      url->queue_type = *v;
    } else if (key == "name") {
      url->connection_name = value;
    } else if (key == "cacertfile") {
      url->ca_cert_file = value;
    } else if (key == "certfile") {
      url->cert_file = value;
    } else if (key == "keyfile") {
      url->key_file = value;
    } else if (key == "verify") {
      auto v = ParseBool(value, "verify");
      if (!v.ok()) return v.status();
      url->verify_peer = *v;
    } else if (key == "verify_hostname") {
      auto v = ParseBool(value, "verify_hostname");
      if (!v.ok()) return v.status();
      url->verify_hostname = *v;
    } else {
      return UrlError(fmt::format(
          "unknown query parameter '{}' (known: heartbeat, connection_timeout, frame_max, "
          "max_message_size, reconnect, reconnect_initial_ms, reconnect_max_ms, queue_type, name, "
          "cacertfile, certfile, keyfile, verify, verify_hostname)",
          key));
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<BrokerUrl> ParseBrokerUrl(std::string_view text) {
  BrokerUrl url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return UrlError("missing scheme (expected amqp://, amqps:// or memory://)");
  }
  std::string_view scheme = text.substr(0, sep);
  std::string_view rest = text.substr(sep + 3);
  if (scheme == "amqp") {
    url.scheme = BrokerUrl::Scheme::kAmqp;
  } else if (scheme == "amqps") {
    url.scheme = BrokerUrl::Scheme::kAmqps;
  } else if (scheme == "memory") {
    url.scheme = BrokerUrl::Scheme::kMemory;
  } else {
    return UrlError(
        fmt::format("unsupported scheme '{}' (expected amqp, amqps or memory)", scheme));
  }

  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (url.scheme == BrokerUrl::Scheme::kMemory) {
    if (rest.find('/') != std::string_view::npos && rest.find('/') != rest.size() - 1) {
      return UrlError("memory:// takes only a name, e.g. memory://tests");
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    url.memory_name = std::string(rest);
    BROKRPC_RETURN_IF_ERROR(ApplyQuery(query, &url));
    return url;
  }

  std::string_view authority = rest;
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string_view hostlist = authority;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    hostlist = authority.substr(at + 1);
    std::string_view user = userinfo;
    std::string_view password;
    bool has_password = false;
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
      has_password = true;
    }
    auto u = PercentDecode(user, "user name");
    if (!u.ok()) return u.status();
    url.user = *u;
    if (has_password) {
      auto p = PercentDecode(password, "password");
      if (!p.ok()) return p.status();
      url.password = *p;
    }
  }
  if (hostlist.empty()) return UrlError("missing host");
  int default_port = url.scheme == BrokerUrl::Scheme::kAmqps ? 5671 : 5672;
  BROKRPC_RETURN_IF_ERROR(ParseHosts(hostlist, default_port, &url.hosts));
  if (path.empty()) {
    url.vhost = "/";
  } else {
    if (path.find('/') != std::string_view::npos) {
      return UrlError("the virtual host must be one path segment (write '/' as %2F)");
    }
    auto v = PercentDecode(path, "virtual host");
    if (!v.ok()) return v.status();
    url.vhost = *v;
  }
  BROKRPC_RETURN_IF_ERROR(ApplyQuery(query, &url));
  return url;
}

std::string BrokerUrl::Redacted() const {
  if (scheme == Scheme::kMemory) return fmt::format("memory://{}", memory_name);
  std::string hostlist;
  for (const auto& h : hosts) {
    if (!hostlist.empty()) hostlist += ",";
    hostlist += fmt::format("{}:{}", h.host, h.port);
  }
  std::string vh = vhost == "/" ? "" : vhost;
  return fmt::format("{}://{}:***@{}/{}", scheme == Scheme::kAmqps ? "amqps" : "amqp", user,
                     hostlist, vh);
}

}  // namespace brokrpc::internal
