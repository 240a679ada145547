// AmqpTransport's topology: declaring, binding and deleting, and restoring after a reconnect.
#include <fmt/format.h>

#include <optional>

#include "amqp/amqp_transport.h"
#include "base/log.h"

namespace brokrpc::internal {

void AmqpTransport::RestoreTopology() {
  TopologyJournal::RestoreSteps steps;
  steps.exchange = [this](const ResolvedExchange& e) {
    Status s = OnTopologyChannel(fmt::format("restore exchange '{}'", e.name), [&](uint16_t ch) {
      AmqpArena arena;
      std::string type(ExchangeTypeName(e.type));
      amqp_exchange_declare(conn_->state(), ch, BytesView(e.name), BytesView(type), 0, e.durable,
                            e.auto_delete, 0, EncodeTable(e.arguments, &arena));
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  steps.queue = [this](const std::string& name, const ResolvedQueue& q, std::string* actual) {
    Status s = OnTopologyChannel(fmt::format("restore queue '{}'", name), [&](uint16_t ch) {
      AmqpArena arena;
      amqp_queue_declare_ok_t* ok =
          amqp_queue_declare(conn_->state(), ch, BytesView(q.name), 0, q.durable, q.exclusive,
                             q.auto_delete, EncodeTable(q.arguments, &arena));
      if (ok != nullptr) *actual = ToString(ok->queue);
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  steps.binding = [this](const TopologyJournal::Binding& b) {
    Status s = OnTopologyChannel(fmt::format("restore binding of '{}'", b.queue), [&](uint16_t ch) {
      AmqpArena arena;
      amqp_queue_bind(conn_->state(), ch, BytesView(b.queue), BytesView(b.exchange),
                      BytesView(b.key), EncodeTable(b.arguments, &arena));
    });
    if (!s.ok()) BROKRPC_LOG_WARNING("{}", s.message());
    return conn_ != nullptr;
  };
  std::optional<TopologyJournal::Renames> renamed = journal_.Restore(steps);
  if (!renamed) return;  // the connection was lost again
  for (auto& [id, c] : consumers_) {
    if (c.cancelled || c.gone) continue;
    TopologyJournal::ApplyRename(*renamed, &c.request.queue);
    Status s = Subscribe(id, c);
    if (!conn_) return;
    if (!s.ok()) {
      BROKRPC_LOG_WARNING("{}", s.message());
      c.gone = true;
      if (c.request.on_gone) c.request.on_gone(s);
    }
  }
  BROKRPC_LOG_INFO("connection to {} restored: {} exchanges, {} queues, {} bindings, {} consumers",
                   url_.Redacted(), journal_.exchanges().size(), journal_.queues().size(),
                   journal_.bindings().size(), consumers_.size());
}

Status AmqpTransport::DeclareExchange(const ResolvedExchange& e) {
  if (!connected_) return NotConnected("declare exchange");
  return Call<Status>(
      [this, &e] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(e.arguments, &arena);
        std::string type(ExchangeTypeName(e.type));
        Status s =
            OnTopologyChannel(fmt::format("declare exchange '{}'", e.name), [&](uint16_t ch) {
              amqp_exchange_declare(conn_->state(), ch, BytesView(e.name), BytesView(type), 0,
                                    e.durable, e.auto_delete, 0, args);
            });
        if (s.ok()) journal_.AddExchange(e);
        return s;
      },
      NotConnected("declare exchange"));
}

StatusOr<std::string> AmqpTransport::DeclareQueue(const ResolvedQueue& q) {
  if (!connected_) return NotConnected("declare queue");
  return Call<StatusOr<std::string>>(
      [this, &q]() -> StatusOr<std::string> {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(q.arguments, &arena);
        std::string name;
        Status s = OnTopologyChannel(fmt::format("declare queue '{}'", q.name), [&](uint16_t ch) {
          amqp_queue_declare_ok_t* ok =
              amqp_queue_declare(conn_->state(), ch, BytesView(q.name), 0, q.durable, q.exclusive,
                                 q.auto_delete, args);
          if (ok != nullptr) name = ToString(ok->queue);
        });
        if (!s.ok()) return s;
        journal_.AddQueue(name, q);
        return name;
      },
      NotConnected("declare queue"));
}

Status AmqpTransport::BindQueue(const std::string& queue, const std::string& exchange,
                                const std::string& key, const FieldTable& arguments) {
  if (!connected_) return NotConnected("bind queue");
  return Call<Status>(
      [&, this] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(arguments, &arena);
        Status s = OnTopologyChannel(
            fmt::format("bind queue '{}' to exchange '{}' with key '{}'", queue, exchange, key),
            [&](uint16_t ch) {
              amqp_queue_bind(conn_->state(), ch, BytesView(queue), BytesView(exchange),
                              BytesView(key), args);
            });
        if (s.ok()) journal_.AddBinding({queue, exchange, key, arguments});
        return s;
      },
      NotConnected("bind queue"));
}

Status AmqpTransport::UnbindQueue(const std::string& queue, const std::string& exchange,
                                  const std::string& key, const FieldTable& arguments) {
  return Call<Status>(
      [&, this] {
        AmqpArena arena;
        amqp_table_t args = EncodeTable(arguments, &arena);
        Status s = OnTopologyChannel(
            fmt::format("unbind queue '{}' from exchange '{}' key '{}'", queue, exchange, key),
            [&](uint16_t ch) {
              amqp_queue_unbind(conn_->state(), ch, BytesView(queue), BytesView(exchange),
                                BytesView(key), args);
            });
        if (s.ok()) journal_.RemoveBinding({queue, exchange, key, arguments});
        return s;
      },
      NotConnected("unbind queue"));
}

Status AmqpTransport::DeleteQueue(const std::string& queue) {
  if (!connected_) return NotConnected("delete queue");
  return Call<Status>(
      [&, this] {
        Status s = OnTopologyChannel(fmt::format("delete queue '{}'", queue), [&](uint16_t ch) {
          amqp_queue_delete(conn_->state(), ch, BytesView(queue), 0, 0);
        });
        if (s.ok()) journal_.RemoveQueue(queue);
        return s;
      },
      NotConnected("delete queue"));
}

Status AmqpTransport::DeleteExchange(const std::string& exchange) {
  if (!connected_) return NotConnected("delete exchange");
  return Call<Status>(
      [&, this] {
        Status s = OnTopologyChannel(
            fmt::format("delete exchange '{}'", exchange),
            [&](uint16_t ch) { amqp_exchange_delete(conn_->state(), ch, BytesView(exchange), 0); });
        if (s.ok()) journal_.RemoveExchange(exchange);
        return s;
      },
      NotConnected("delete exchange"));
}

}  // namespace brokrpc::internal
