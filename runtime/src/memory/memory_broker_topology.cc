// MemoryBroker topology: declaring, binding and deleting exchanges and queues, with the
// equivalence checks RabbitMQ makes on a redeclare (406 PRECONDITION_FAILED naming the flag).
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/uuid.h"
#include "memory/memory_broker.h"
#include "transport/reply_code.h"

namespace brokrpc::internal {
namespace {

std::string Bool(bool b) { return b ? "true" : "false"; }

Status Inequivalent(std::string_view op, std::string_view what, const std::string& name,
                    std::string_view arg, const std::string& received, const std::string& current) {
  return ReplyStatus(op, kReplyPreconditionFailed,
                     fmt::format("PRECONDITION_FAILED - inequivalent arg '{}' for {} '{}' in vhost "
                                 "'/': received '{}' but current is '{}'",
                                 arg, what, name, received, current));
}

// The first argument that differs between two tables, if any.
std::optional<std::string> DifferingArgument(const FieldTable& a, const FieldTable& b) {
  for (const auto& [k, v] : a) {
    const FieldValue* o = b.Find(k);
    if (o == nullptr || !(*o == v)) return k;
  }
  for (const auto& [k, v] : b) {
    if (a.Find(k) == nullptr) return k;
  }
  return std::nullopt;
}

std::string ArgText(const FieldTable& t, const std::string& key) {
  const FieldValue* v = t.Find(key);
  return v ? v->ToString() : "none";
}
}  // namespace

Status MemoryBroker::DeclareExchange(const ResolvedExchange& e) {
  std::string op = fmt::format("declare exchange '{}'", e.name);
  if (e.name.empty()) {
    return ReplyStatus(op, kReplyAccessRefused,
                       "ACCESS_REFUSED - operation not permitted on the default exchange");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = exchanges_.find(e.name);
  if (it == exchanges_.end()) {
    exchanges_.emplace(e.name, Exchange{e, {}});
    return OkStatus();
  }
  const ResolvedExchange& cur = it->second.spec;
  if (cur.type != e.type) {
    return Inequivalent(op, "exchange", e.name, "type", std::string(ExchangeTypeName(e.type)),
                        std::string(ExchangeTypeName(cur.type)));
  }
  if (cur.durable != e.durable) {
    return Inequivalent(op, "exchange", e.name, "durable", Bool(e.durable), Bool(cur.durable));
  }
  if (cur.auto_delete != e.auto_delete) {
    return Inequivalent(op, "exchange", e.name, "auto_delete", Bool(e.auto_delete),
                        Bool(cur.auto_delete));
  }
  if (auto arg = DifferingArgument(e.arguments, cur.arguments)) {
    return Inequivalent(op, "exchange", e.name, *arg, ArgText(e.arguments, *arg),
                        ArgText(cur.arguments, *arg));
  }
  return OkStatus();
}

StatusOr<std::string> MemoryBroker::DeclareQueue(const ResolvedQueue& q, const void* owner) {
  ResolvedQueue spec = q;
  if (spec.name.empty()) spec.name = "amq.gen-" + NewUuidHex().substr(0, 22);
  std::string op = fmt::format("declare queue '{}'", q.name);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(spec.name);
  if (it == queues_.end()) {
    Queue queue;
    queue.spec = spec;
    queue.owner = spec.exclusive ? owner : nullptr;
    queues_.emplace(spec.name, std::move(queue));
    return spec.name;
  }
  const Queue& cur = it->second;
  if (cur.owner != nullptr && cur.owner != owner) {
    return ReplyStatus(op, kReplyResourceLocked,
                       fmt::format("RESOURCE_LOCKED - cannot obtain exclusive access to locked "
                                   "queue '{}' in vhost '/'. It could be originally declared on "
                                   "another connection or the exclusive property value does not "
                                   "match that of the original declaration.",
                                   spec.name));
  }
  if (cur.spec.durable != spec.durable) {
    return Inequivalent(op, "queue", spec.name, "durable", Bool(spec.durable),
                        Bool(cur.spec.durable));
  }
  if (cur.spec.exclusive != spec.exclusive) {
    return Inequivalent(op, "queue", spec.name, "exclusive", Bool(spec.exclusive),
                        Bool(cur.spec.exclusive));
  }
  if (cur.spec.auto_delete != spec.auto_delete) {
    return Inequivalent(op, "queue", spec.name, "auto_delete", Bool(spec.auto_delete),
                        Bool(cur.spec.auto_delete));
  }
  if (auto arg = DifferingArgument(spec.arguments, cur.spec.arguments)) {
    return Inequivalent(op, "queue", spec.name, *arg, ArgText(spec.arguments, *arg),
                        ArgText(cur.spec.arguments, *arg));
  }
  return spec.name;
}

Status MemoryBroker::BindQueue(const std::string& queue, const std::string& exchange,
                               const std::string& key, const FieldTable& arguments, bool bind) {
  std::string op =
      bind ? fmt::format("bind queue '{}' to exchange '{}' with key '{}'", queue, exchange, key)
           : fmt::format("unbind queue '{}' from exchange '{}' key '{}'", queue, exchange, key);
  if (exchange.empty()) {
    return ReplyStatus(op, kReplyAccessRefused,
                       "ACCESS_REFUSED - operation not permitted on the default exchange");
  }
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto ex = exchanges_.find(exchange);
    if (ex == exchanges_.end()) {
      return ReplyStatus(op, kReplyNotFound,
                         fmt::format("NOT_FOUND - no exchange '{}' in vhost '/'", exchange));
    }
    if (queues_.count(queue) == 0) {
      return ReplyStatus(op, kReplyNotFound,
                         fmt::format("NOT_FOUND - no queue '{}' in vhost '/'", queue));
    }
    auto& bindings = ex->second.bindings;
    auto same = [&](const Binding& b) {
      return b.queue == queue && b.key == key && b.arguments == arguments;
    };
    auto found = std::find_if(bindings.begin(), bindings.end(), same);
    if (bind && found == bindings.end()) bindings.push_back(Binding{queue, key, arguments});
    if (!bind && found != bindings.end()) {
      bindings.erase(found);
      if (bindings.empty() && ex->second.spec.auto_delete) exchanges_.erase(ex);
    }
  }
  return OkStatus();
}

Status MemoryBroker::DeleteQueue(const std::string& queue) {
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DropQueue(queue, &work);
  }
  Run(work);
  return OkStatus();
}

Status MemoryBroker::DeleteExchange(const std::string& exchange) {
  std::lock_guard<std::mutex> lock(mu_);
  exchanges_.erase(exchange);
  return OkStatus();
}

void MemoryBroker::DropQueue(std::string name, Work* work) {
  auto it = queues_.find(name);
  if (it == queues_.end()) return;
  for (uint64_t id : it->second.consumers) {
    auto c = consumers_.find(id);
    if (c == consumers_.end()) continue;
    std::shared_ptr<MemoryConsumer> consumer = c->second;
    consumer->cancelled = true;
    if (consumer->on_gone) {
      work->push_back([consumer, name] {
        consumer->dispatch([consumer, name] {
          consumer->on_gone(UnavailableError(fmt::format(
              "consumer of queue '{}' was cancelled by the broker (queue deleted?)", name)));
        });
      });
    }
    for (auto u = unsettled_.lower_bound({id, 0}); u != unsettled_.end() && u->first.first == id;) {
      u = unsettled_.erase(u);
    }
    consumers_.erase(c);
  }
  queues_.erase(it);
  for (auto ex = exchanges_.begin(); ex != exchanges_.end();) {
    auto& b = ex->second.bindings;
    size_t before = b.size();
    b.erase(std::remove_if(b.begin(), b.end(), [&](const Binding& x) { return x.queue == name; }),
            b.end());
    if (before > 0 && b.empty() && ex->second.spec.auto_delete) {
      ex = exchanges_.erase(ex);
    } else {
      ++ex;
    }
  }
}

}  // namespace brokrpc::internal
