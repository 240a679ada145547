#include "cluster/cluster_support.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>

#include "support/test_support.h"

namespace brokrpc::testing {

std::vector<std::vector<std::string>> Rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    std::vector<std::string> row;
    size_t from = 0;
    while (true) {
      size_t tab = line.find('\t', from);
      row.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
      if (tab == std::string::npos) break;
      from = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Cluster::Cluster() {
  // One URL a line: amqp://guest:guest@127.0.0.1:PORT/
  for (const auto& row : Rows(Script("urls"))) {
    const std::string& url = row[0];
    size_t colon = url.rfind(':');
    if (url.rfind("amqp://", 0) != 0 || colon == std::string::npos) continue;
    ports_.push_back(std::atoi(url.c_str() + colon + 1));
  }
  REQUIRE(ports_.size() == static_cast<size_t>(kNodes));
}

namespace {
std::string Query(const std::string& name, int heartbeat_s = 5) {
  return "?name=" + name + "&heartbeat=" + std::to_string(heartbeat_s) +
         "&reconnect_initial_ms=100&reconnect_max_ms=1000";
}
}  // namespace

std::string Cluster::Url(int first, const std::string& name, int heartbeat_s) const {
  std::string hosts;
  for (int i = 0; i < kNodes; ++i) {
    int node = (first - 1 + i) % kNodes + 1;
    hosts += (i ? "," : "") + std::string("127.0.0.1:") + std::to_string(ports_[node - 1]);
  }
  return "amqp://guest:guest@" + hosts + "/" + Query(name, heartbeat_s);
}

std::string Cluster::NodeUrl(int node, const std::string& name) const {
  return "amqp://guest:guest@127.0.0.1:" + std::to_string(ports_[node - 1]) + "/" + Query(name);
}

int Cluster::NodeOfPort(int port) const {
  for (int i = 0; i < kNodes; ++i) {
    if (ports_[i] == port) return i + 1;
  }
  return 0;
}

std::string Cluster::Script(const std::string& args) const {
  return RabbitScript("cluster " + args);
}

std::string Cluster::Ctl(int node, const std::string& args) const {
  // RabbitScript merges stderr: -q keeps rabbitmqctl's banners out.
  return Script("ctl " + std::to_string(node) + " -q " + args);
}

int Cluster::LeaderOf(const std::string& queue, int ask) const {
  for (const auto& row : Rows(Ctl(ask, "list_queues --no-table-headers name leader"))) {
    if (row.size() < 2 || row[0] != queue) continue;
    // brokrpc-cXXXXXXXX-nN@localhost
    size_t at = row[1].find('@');
    if (at == std::string::npos || at < 1) return 0;
    return row[1][at - 1] - '0';
  }
  return 0;
}

std::map<std::string, int> Cluster::ConnectionNodes(int ask) const {
  // RabbitMQ 3.10 has no user_provided_name column: the name is in the client properties.
  std::map<std::string, int> nodes;
  for (const auto& row :
       Rows(Ctl(ask, "list_connections --no-table-headers port client_properties"))) {
    if (row.size() < 2) continue;
    const std::string needle = "{\"connection_name\",\"";
    size_t at = row[1].find(needle);
    if (at == std::string::npos) continue;
    at += needle.size();
    nodes[row[1].substr(at, row[1].find('"', at) - at)] = NodeOfPort(std::atoi(row[0].c_str()));
  }
  return nodes;
}

std::map<std::string, int> Cluster::QueueConsumers(int ask) const {
  std::map<std::string, int> consumers;
  for (const auto& row : Rows(Ctl(ask, "list_queues --no-table-headers name consumers"))) {
    if (row.size() >= 2) consumers[row[0]] = std::atoi(row[1].c_str());
  }
  return consumers;
}

void Cluster::WaitAllRunning(int ask) const {
  bool running = Eventually(
      [&] {
        std::string out = Ctl(ask, "cluster_status --formatter json");
        size_t at = out.find("\"running_nodes\":[");
        if (at == std::string::npos) return false;
        std::string list = out.substr(at, out.find(']', at) - at);
        int n = 0;
        for (size_t p = list.find('@'); p != std::string::npos; p = list.find('@', p + 1)) ++n;
        return n == kNodes;
      },
      std::chrono::seconds(90));
  REQUIRE(running);
}

}  // namespace brokrpc::testing
