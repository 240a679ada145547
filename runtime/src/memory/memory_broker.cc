// MemoryBroker: the in-process broker of memory:// — routing, queues, consumers, settlement.
#include "memory/memory_broker.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/uuid.h"
#include "transport/reply_code.h"

namespace brokrpc::internal {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<int64_t> IntArgument(const FieldTable& t, std::string_view key) {
  const FieldValue* v = t.Find(key);
  if (v == nullptr) return std::nullopt;
  if (const int64_t* i = v->get_if<int64_t>()) return *i;
  return std::nullopt;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

bool MatchWords(const std::vector<std::string>& p, size_t i, const std::vector<std::string>& k,
                size_t j) {
  if (i == p.size()) return j == k.size();
  if (p[i] == "#") {
    for (size_t skip = j; skip <= k.size(); ++skip) {
      if (MatchWords(p, i + 1, k, skip)) return true;
    }
    return false;
  }
  if (j == k.size()) return false;
  if (p[i] != "*" && p[i] != k[j]) return false;
  return MatchWords(p, i + 1, k, j + 1);
}

bool HeadersMatch(const FieldTable& binding, const FieldTable& headers) {
  const std::string* mode = binding.FindString("x-match");
  bool any = mode != nullptr && (*mode == "any" || *mode == "any-with-x");
  bool matched_any = false;
  for (const auto& [k, v] : binding) {
    if (k.rfind("x-", 0) == 0) continue;
    const FieldValue* h = headers.Find(k);
    bool ok = h != nullptr && (v.is_void() || *h == v);
    if (any && ok) return true;
    if (!any && !ok) return false;
    matched_any |= ok;
  }
  return !any || matched_any;
}

}  // namespace

bool TopicMatches(const std::string& pattern, const std::string& routing_key) {
  return MatchWords(Words(pattern), 0, Words(routing_key), 0);
}

std::shared_ptr<MemoryBroker> MemoryBroker::Get(const std::string& name) {
  static std::mutex registry_mu;
  static std::map<std::string, std::weak_ptr<MemoryBroker>> registry;
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& slot = registry[name];
  if (auto existing = slot.lock()) return existing;
  auto broker = std::make_shared<MemoryBroker>();
  slot = broker;
  return broker;
}

void MemoryBroker::Run(Work& work) {
  for (auto& w : work) w();
}

std::vector<std::string> MemoryBroker::Route(const Exchange& ex, const Message& m) const {
  std::vector<std::string> out;
  for (const auto& b : ex.bindings) {
    bool match = false;
    switch (ex.spec.type) {
      case ExchangeType::kDirect:
        match = b.key == m.routing_key;
        break;
      case ExchangeType::kFanout:
        match = true;
        break;
      case ExchangeType::kTopic:
        match = TopicMatches(b.key, m.routing_key);
        break;
      case ExchangeType::kHeaders:
        match = HeadersMatch(b.arguments, m.properties.headers);
        break;
    }
    if (match && std::find(out.begin(), out.end(), b.queue) == out.end()) out.push_back(b.queue);
  }
  return out;
}

PublishOutcome MemoryBroker::Publish(const PublishRequest& request) {
  const Message& m = request.message;
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> targets;
    if (m.exchange.empty()) {
      if (queues_.count(m.routing_key)) targets.push_back(m.routing_key);
    } else {
      auto ex = exchanges_.find(m.exchange);
      if (ex == exchanges_.end()) {
        return PublishOutcome::ChannelError(
            kReplyNotFound,
            ReplyStatus(fmt::format("publish to exchange '{}'", m.exchange), kReplyNotFound,
                        fmt::format("NOT_FOUND - no exchange '{}' in vhost '/'", m.exchange)));
      }
      targets = Route(ex->second, m);
    }
    if (targets.empty()) {
      if (request.mandatory) {
        return PublishOutcome::Returned(
            kReplyNoRoute, ReplyStatus(fmt::format("publish to exchange '{}' with routing key '{}'",
                                                   m.exchange, m.routing_key),
                                       kReplyNoRoute, "NO_ROUTE"));
      }
      return PublishOutcome::Confirmed();
    }
    auto now = Clock::now();
    for (const auto& name : targets) {
      Queue& q = queues_.at(name);
      Stored s{m, std::nullopt, false};
      s.message.delivery.reset();
      std::optional<std::chrono::milliseconds> ttl = m.ttl();
      if (auto queue_ttl = IntArgument(q.spec.arguments, "x-message-ttl")) {
        auto qt = std::chrono::milliseconds(*queue_ttl);
        ttl = ttl ? std::min(*ttl, qt) : qt;
      }
      if (ttl) s.expires = now + *ttl;
      q.ready.push_back(std::move(s));
      if (auto max = IntArgument(q.spec.arguments, "x-max-length")) {
        while (static_cast<int64_t>(q.ready.size()) > *max) q.ready.pop_front();
      }
      Pump(q, &work);
    }
  }
  Run(work);
  return PublishOutcome::Confirmed();
}

void MemoryBroker::Pump(Queue& q, Work* work) {
  while (!q.ready.empty() && !q.consumers.empty()) {
    Stored& head = q.ready.front();
    if (head.expires && Clock::now() >= *head.expires) {
      q.ready.pop_front();
      continue;
    }
    std::shared_ptr<MemoryConsumer> target;
    for (size_t tried = 0; tried < q.consumers.size(); ++tried) {
      size_t i = (q.next_consumer + tried) % q.consumers.size();
      auto& c = consumers_.at(q.consumers[i]);
      if (c->cancelled || (c->prefetch != 0 && c->unsettled >= c->prefetch)) continue;
      target = c;
      q.next_consumer = (i + 1) % q.consumers.size();
      break;
    }
    if (!target) return;
    Stored stored = std::move(head);
    q.ready.pop_front();
    uint64_t tag = target->next_tag++;
    if (!target->no_ack) ++target->unsettled;
    Message delivered = stored.message;
    delivered.delivery = DeliveryInfo{.exchange = delivered.exchange,
                                      .routing_key = delivered.routing_key,
                                      .redelivered = stored.redelivered,
                                      .delivery_tag = tag,
                                      .consumer_tag = target->tag};
    if (!target->no_ack) {
      unsettled_.emplace(std::make_pair(target->id, tag),
                         Unsettled{q.spec.name, std::move(stored)});
    }
    work->push_back([target, m = std::move(delivered)]() mutable {
      target->dispatch([target, m = std::move(m)]() mutable {
        if (!target->cancelled) target->on_delivery(std::move(m));
      });
    });
  }
}

StatusOr<std::shared_ptr<MemoryConsumer>> MemoryBroker::AddConsumer(const ConsumeRequest& request,
                                                                    const void* owner,
                                                                    Dispatch dispatch) {
  std::string op = fmt::format("consume queue '{}'", request.queue);
  Work work;
  std::shared_ptr<MemoryConsumer> consumer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = queues_.find(request.queue);
    if (it == queues_.end()) {
      return ReplyStatus(op, kReplyNotFound,
                         fmt::format("NOT_FOUND - no queue '{}' in vhost '/'", request.queue));
    }
    Queue& q = it->second;
    if (q.owner != nullptr && q.owner != owner) {
      return ReplyStatus(op, kReplyResourceLocked,
                         fmt::format("RESOURCE_LOCKED - cannot obtain exclusive access to locked "
                                     "queue '{}' in vhost '/'",
                                     request.queue));
    }
    consumer = std::make_shared<MemoryConsumer>();
    consumer->id = next_consumer_id_++;
    consumer->owner = owner;
    consumer->queue = request.queue;
    consumer->tag = fmt::format("amq.ctag-memory-{}", consumer->id);
    consumer->prefetch = request.prefetch_count;
    consumer->no_ack = request.no_ack;
    consumer->on_delivery = request.on_delivery;
    consumer->on_gone = request.on_gone;
    consumer->dispatch = std::move(dispatch);
    consumers_.emplace(consumer->id, consumer);
    q.consumers.push_back(consumer->id);
    q.had_consumer = true;
    Pump(q, &work);
  }
  Run(work);
  return consumer;
}

void MemoryBroker::Settle(uint64_t consumer_id, uint64_t tag, Settlement settlement) {
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = unsettled_.find({consumer_id, tag});
    if (it == unsettled_.end()) return;
    Unsettled u = std::move(it->second);
    unsettled_.erase(it);
    auto c = consumers_.find(consumer_id);
    if (c != consumers_.end() && c->second->unsettled > 0) --c->second->unsettled;
    auto q = queues_.find(u.queue);
    if (q == queues_.end()) return;
    if (settlement == Settlement::kRequeue) {
      u.stored.redelivered = true;
      q->second.ready.push_front(std::move(u.stored));
    }
    Pump(q->second, &work);
  }
  Run(work);
}

void MemoryBroker::CancelConsumer(uint64_t consumer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto c = consumers_.find(consumer_id);
  if (c != consumers_.end()) c->second->cancelled = true;
}

void MemoryBroker::RemoveConsumer(uint64_t consumer_id) {
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RemoveConsumerLocked(consumer_id, &work);
  }
  Run(work);
}

void MemoryBroker::RemoveConsumerLocked(uint64_t consumer_id, Work* work) {
  auto c = consumers_.find(consumer_id);
  if (c == consumers_.end()) return;
  std::shared_ptr<MemoryConsumer> consumer = c->second;
  consumer->cancelled = true;
  consumers_.erase(c);
  auto q = queues_.find(consumer->queue);
  std::vector<Stored> back;
  for (auto u = unsettled_.lower_bound({consumer_id, 0});
       u != unsettled_.end() && u->first.first == consumer_id;) {
    back.push_back(std::move(u->second.stored));
    u = unsettled_.erase(u);
  }
  if (q == queues_.end()) return;
  Queue& queue = q->second;
  for (auto it = back.rbegin(); it != back.rend(); ++it) {
    it->redelivered = true;
    queue.ready.push_front(std::move(*it));
  }
  queue.consumers.erase(std::remove(queue.consumers.begin(), queue.consumers.end(), consumer_id),
                        queue.consumers.end());
  if (queue.next_consumer >= queue.consumers.size()) queue.next_consumer = 0;
  if (queue.consumers.empty() && queue.had_consumer && queue.spec.auto_delete) {
    DropQueue(queue.spec.name, work);
    return;
  }
  Pump(queue, work);
}

void MemoryBroker::RemoveOwner(const void* owner) {
  Work work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uint64_t> ids;
    for (const auto& [id, c] : consumers_) {
      if (c->owner == owner) ids.push_back(id);
    }
    for (uint64_t id : ids) RemoveConsumerLocked(id, &work);
    std::vector<std::string> exclusive;
    for (const auto& [name, q] : queues_) {
      if (q.owner == owner) exclusive.push_back(name);
    }
    for (const auto& name : exclusive) DropQueue(name, &work);
  }
  Run(work);
}

}  // namespace brokrpc::internal
