// TopologyJournal: what was declared on the broker, to declare again after a reconnect.
#ifndef BROKRPC_SRC_AMQP_TOPOLOGY_JOURNAL_H_
#define BROKRPC_SRC_AMQP_TOPOLOGY_JOURNAL_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "brokrpc/field_table.h"
#include "brokrpc/options.h"

namespace brokrpc::internal {

// Records the exchanges, queues and bindings declared (and forgets deleted / unbound ones), and
// replays them in order after a reconnect: exchanges, then queues, then bindings. A server-named
// queue comes back under a new name; the journal renames it and its bindings, and hands the
// renames to the caller for its consumers. Pure bookkeeping: the caller's steps talk to the
// broker. Not thread-safe (lives on the transport's I/O thread).
class TopologyJournal {
 public:
  // A queue binding as declared (identified by queue, exchange and key).
  struct Binding {
    std::string queue, exchange, key;
    FieldTable arguments;
    bool operator<(const Binding& o) const {
      return std::tie(queue, exchange, key) < std::tie(o.queue, o.exchange, o.key);
    }
  };
  // Old queue name -> the name the broker gave it when restored.
  using Renames = std::map<std::string, std::string>;

  // One call per thing to declare again; each returns false when the connection was lost (the
  // restore stops there). A failure that leaves the connection up is the step's to report; the
  // journal keeps the entry.
  struct RestoreSteps {
    std::function<bool(const ResolvedExchange& exchange)> exchange;
    // `name`: the queue's current name; `spec`: as declared (empty name: server-named). Sets
    // `*actual` to the name the broker returned (left alone when the declaration failed).
    std::function<bool(const std::string& name, const ResolvedQueue& spec, std::string* actual)>
        queue;
    std::function<bool(const Binding& binding)> binding;
  };

  void AddExchange(const ResolvedExchange& exchange) { exchanges_[exchange.name] = exchange; }
  // `name`: the declared queue's actual name; `spec`: its declaration.
  void AddQueue(const std::string& name, const ResolvedQueue& spec) { queues_[name] = spec; }
  void AddBinding(Binding binding) { bindings_.insert(std::move(binding)); }
  void RemoveBinding(const Binding& binding) { bindings_.erase(binding); }
  // Forgets the queue and its bindings.
  void RemoveQueue(const std::string& name);
  // Forgets the exchange and the bindings to it.
  void RemoveExchange(const std::string& name);

  // Replays the journal through `steps`. Returns the queues renamed, or nullopt when a step lost
  // the connection: then the journal keeps the names of the stage (queues, bindings) that was cut
  // short.
  std::optional<Renames> Restore(const RestoreSteps& steps);
  // Replaces `*queue` by its new name if it was renamed.
  static void ApplyRename(const Renames& renames, std::string* queue);

  const std::map<std::string, ResolvedExchange>& exchanges() const { return exchanges_; }
  const std::map<std::string, ResolvedQueue>& queues() const { return queues_; }
  const std::set<Binding>& bindings() const { return bindings_; }

 private:
  std::map<std::string, ResolvedExchange> exchanges_;
  std::map<std::string, ResolvedQueue> queues_;  // by actual name
  std::set<Binding> bindings_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_TOPOLOGY_JOURNAL_H_
