#include "amqp/topology_journal.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace brokrpc::internal {
namespace {

// Records the restore steps in order; server-named queues get "gen-N"; `lose_at` loses the
// connection on that step (0: never).
struct Replay {
  std::vector<std::string> steps;
  int generated = 0;
  size_t lose_at = 0;

  bool Step(std::string what) {
    steps.push_back(std::move(what));
    return steps.size() != lose_at;
  }
  TopologyJournal::RestoreSteps Steps() {
    TopologyJournal::RestoreSteps s;
    s.exchange = [this](const ResolvedExchange& e) { return Step("exchange " + e.name); };
    s.queue = [this](const std::string& name, const ResolvedQueue& spec, std::string* actual) {
      *actual = spec.name.empty() ? "gen-" + std::to_string(++generated) : spec.name;
      return Step("queue " + name);
    };
    s.binding = [this](const TopologyJournal::Binding& b) {
      return Step("bind " + b.queue + " " + b.exchange + " " + b.key);
    };
    return s;
  }
};

ResolvedExchange Exchange(std::string name) { return ResolvedExchange{.name = std::move(name)}; }
ResolvedQueue Queue(std::string name) { return ResolvedQueue{.name = std::move(name)}; }

TEST_CASE("topology journal: restores exchanges, then queues, then bindings", "[journal]") {
  TopologyJournal j;
  j.AddBinding({"q1", "x1", "k", {}});
  j.AddQueue("q1", Queue("q1"));
  j.AddExchange(Exchange("x1"));
  j.AddExchange(Exchange("x0"));
  Replay r;
  auto renamed = j.Restore(r.Steps());
  REQUIRE(renamed.has_value());
  CHECK(renamed->empty());
  CHECK(r.steps ==
        std::vector<std::string>{"exchange x0", "exchange x1", "queue q1", "bind q1 x1 k"});
}

TEST_CASE("topology journal: forgets deleted and unbound entries", "[journal]") {
  TopologyJournal j;
  j.AddExchange(Exchange("x1"));
  j.AddExchange(Exchange("x2"));
  j.AddQueue("q1", Queue("q1"));
  j.AddQueue("q2", Queue("q2"));
  j.AddBinding({"q1", "x1", "a", {}});
  j.AddBinding({"q1", "x2", "b", {}});
  j.AddBinding({"q2", "x1", "c", {}});
  j.AddBinding({"q2", "x2", "d", {}});
  j.AddBinding({"q2", "x2", "e", {}});
  j.RemoveBinding({"q2", "x2", "e", {}});
  j.RemoveQueue("q1");     // and its bindings a, b
  j.RemoveExchange("x1");  // and binding c
  CHECK(j.exchanges().size() == 1);
  CHECK(j.queues().size() == 1);
  REQUIRE(j.bindings().size() == 1);
  CHECK(j.bindings().begin()->key == "d");
  Replay r;
  REQUIRE(j.Restore(r.Steps()).has_value());
  CHECK(r.steps == std::vector<std::string>{"exchange x2", "queue q2", "bind q2 x2 d"});
}

TEST_CASE("topology journal: a declaration twice is recorded once", "[journal]") {
  TopologyJournal j;
  j.AddExchange(Exchange("x"));
  j.AddExchange(Exchange("x"));
  j.AddBinding({"q", "x", "k", {}});
  j.AddBinding({"q", "x", "k", {}});
  CHECK(j.exchanges().size() == 1);
  CHECK(j.bindings().size() == 1);
}

TEST_CASE("topology journal: server-named queues are renamed with their bindings", "[journal]") {
  TopologyJournal j;
  j.AddExchange(Exchange("x"));
  j.AddQueue("amq.gen-old", Queue(""));
  j.AddQueue("named", Queue("named"));
  j.AddBinding({"amq.gen-old", "x", "k", {}});
  j.AddBinding({"named", "x", "k", {}});
  Replay r;
  auto renamed = j.Restore(r.Steps());
  REQUIRE(renamed.has_value());
  CHECK(*renamed == TopologyJournal::Renames{{"amq.gen-old", "gen-1"}});
  CHECK(j.queues().count("gen-1") == 1);
  CHECK(j.queues().count("amq.gen-old") == 0);
  CHECK(j.queues().at("gen-1").name.empty());  // still server-named on the next restore
  CHECK(r.steps.back() == "bind named x k");
  CHECK(r.steps[r.steps.size() - 2] == "bind gen-1 x k");
  std::string consumer_queue = "amq.gen-old";
  TopologyJournal::ApplyRename(*renamed, &consumer_queue);
  CHECK(consumer_queue == "gen-1");
  std::string other = "named";
  TopologyJournal::ApplyRename(*renamed, &other);
  CHECK(other == "named");
  // The next restore renames again, from the current name.
  r.steps.clear();
  renamed = j.Restore(r.Steps());
  REQUIRE(renamed.has_value());
  CHECK(*renamed == TopologyJournal::Renames{{"gen-1", "gen-2"}});
  CHECK(r.steps[r.steps.size() - 2] == "bind gen-2 x k");
}

TEST_CASE("topology journal: a lost connection stops the restore", "[journal]") {
  TopologyJournal j;
  j.AddExchange(Exchange("x"));
  j.AddQueue("amq.gen-old", Queue(""));
  j.AddBinding({"amq.gen-old", "x", "k", {}});
  SECTION("during the queues: the journal keeps the old names") {
    Replay r;
    r.lose_at = 2;
    CHECK_FALSE(j.Restore(r.Steps()).has_value());
    CHECK(r.steps.size() == 2);
    CHECK(j.queues().count("amq.gen-old") == 1);
    CHECK(j.bindings().begin()->queue == "amq.gen-old");
  }
  SECTION("at the first step") {
    Replay r;
    r.lose_at = 1;
    CHECK_FALSE(j.Restore(r.Steps()).has_value());
    CHECK(r.steps.size() == 1);
    CHECK(j.queues().size() == 1);
  }
}

TEST_CASE("topology journal: a failed queue declaration keeps its name", "[journal]") {
  TopologyJournal j;
  j.AddQueue("amq.gen-old", Queue(""));
  TopologyJournal::RestoreSteps s;
  s.exchange = [](const ResolvedExchange&) { return true; };
  s.queue = [](const std::string&, const ResolvedQueue&, std::string*) { return true; };
  s.binding = [](const TopologyJournal::Binding&) { return true; };
  auto renamed = j.Restore(s);
  REQUIRE(renamed.has_value());
  CHECK(renamed->empty());
  CHECK(j.queues().count("amq.gen-old") == 1);
}

}  // namespace
}  // namespace brokrpc::internal
