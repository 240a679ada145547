// route_server [URL]: serves route.RouteGuide until SIGINT / SIGTERM.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "brokrpc/brokrpc.h"
#include "route.brokrpc.pb.h"

namespace {

class RouteGuideImpl final : public route::RouteGuide::Service {
 public:
  brokrpc::Status ListFeatures(brokrpc::ServerContext*, const route::Area* area,
                               brokrpc::ServerWriter<route::Feature>* writer) override {
    int sent = 0;
    for (int x = area->lo().x(); x <= area->hi().x(); ++x) {
      for (int y = area->lo().y(); y <= area->hi().y(); ++y) {
        if ((x * 7 + y * 3) % 5 != 0) continue;  // a feature every few points
        route::Feature f;
        f.set_name("feature@" + std::to_string(x) + "," + std::to_string(y));
        f.mutable_location()->set_x(x);
        f.mutable_location()->set_y(y);
        if (!writer->Write(f)) return brokrpc::CancelledError("the client left");
        ++sent;
      }
    }
    std::printf("server: ListFeatures sent %d features\n", sent);
    std::fflush(stdout);
    return brokrpc::OkStatus();
  }

  brokrpc::Status RecordRoute(brokrpc::ServerContext*, brokrpc::ServerReader<route::Point>* reader,
                              route::Summary* summary) override {
    route::Point p, last;
    bool first = true;
    while (reader->Read(&p)) {
      summary->set_points(summary->points() + 1);
      if (!first) {
        summary->set_distance(summary->distance() + std::abs(p.x() - last.x()) +
                              std::abs(p.y() - last.y()));
      }
      last = p;
      first = false;
    }
    std::printf("server: RecordRoute got %d points\n", summary->points());
    std::fflush(stdout);
    return brokrpc::OkStatus();
  }

  brokrpc::Status RouteChat(
      brokrpc::ServerContext*,
      brokrpc::ServerReaderWriter<route::Note, route::Note>* stream) override {
    route::Note note;
    while (stream->Read(&note)) {
      std::vector<route::Note> earlier;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto key = std::make_pair(note.location().x(), note.location().y());
        earlier = notes_[key];
        notes_[key].push_back(note);
      }
      for (const auto& e : earlier) {
        if (!stream->Write(e)) return brokrpc::CancelledError("the client left");
      }
    }
    return brokrpc::OkStatus();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<int, int>, std::vector<route::Note>> notes_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok() || !(*broker)->Connect().ok()) {
    std::fprintf(stderr, "server: cannot connect to %s\n", url.c_str());
    return 1;
  }
  RouteGuideImpl impl;
  // reflection: `brokrpc list URL -e EXCHANGE` and `brokrpc call` work without the .proto.
  brokrpc::Server server(*broker, {.reflection = true});
  if (brokrpc::Status s = server.RegisterService(&impl); !s.ok()) {
    std::fprintf(stderr, "server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("server: serving route.RouteGuide (Ctrl-C to stop)\n");
  std::fflush(stdout);
  return server.RunUntilSignalled().ok() ? 0 : 1;
}
