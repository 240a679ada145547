#include "amqp/topology_journal.h"

#include <utility>

namespace brokrpc::internal {

void TopologyJournal::RemoveQueue(const std::string& name) {
  queues_.erase(name);
  std::erase_if(bindings_, [&](const Binding& b) { return b.queue == name; });
}

void TopologyJournal::RemoveExchange(const std::string& name) {
  exchanges_.erase(name);
  std::erase_if(bindings_, [&](const Binding& b) { return b.exchange == name; });
}

std::optional<TopologyJournal::Renames> TopologyJournal::Restore(const RestoreSteps& steps) {
  for (const auto& [name, exchange] : exchanges_) {
    if (!steps.exchange(exchange)) return std::nullopt;
  }
  Renames renamed;
  std::map<std::string, ResolvedQueue> queues;
  for (const auto& [name, spec] : queues_) {
    std::string actual = name;
    if (!steps.queue(name, spec, &actual)) return std::nullopt;
    if (actual != name) renamed[name] = actual;
    queues[actual] = spec;
  }
  queues_ = std::move(queues);
  std::set<Binding> bindings;
  for (Binding b : bindings_) {
    ApplyRename(renamed, &b.queue);
    if (!steps.binding(b)) return std::nullopt;
    bindings.insert(std::move(b));
  }
  bindings_ = std::move(bindings);
  return renamed;
}

void TopologyJournal::ApplyRename(const Renames& renames, std::string* queue) {
  auto it = renames.find(*queue);
  if (it != renames.end()) *queue = it->second;
}

}  // namespace brokrpc::internal
