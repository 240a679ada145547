// route_client [URL]: one call of each streaming kind against route.RouteGuide.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "brokrpc/brokrpc.h"
#include "route.brokrpc.pb.h"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  std::string url = argc > 1 ? argv[1] : "amqp://guest:guest@127.0.0.1:5672/";
  auto broker = brokrpc::Broker::Create(url);
  if (!broker.ok()) return 2;
  auto stub = route::RouteGuide::NewStub(brokrpc::CreateChannel(*broker));
  int failures = 0;

  {  // Server streaming.
    brokrpc::ClientContext ctx;
    ctx.set_timeout(10s);
    route::Area area;
    area.mutable_lo()->set_x(0);
    area.mutable_lo()->set_y(0);
    area.mutable_hi()->set_x(9);
    area.mutable_hi()->set_y(9);
    auto reader = stub->ListFeatures(&ctx, area);
    route::Feature f;
    int n = 0;
    while (reader->Read(&f)) {
      if (n++ < 3) std::printf("client: feature %s\n", f.name().c_str());
    }
    brokrpc::Status s = reader->Finish();
    std::printf("client: ListFeatures -> %d features, %s\n", n, s.ToString().c_str());
    failures += s.ok() ? 0 : 1;
  }
  {  // Client streaming.
    brokrpc::ClientContext ctx;
    ctx.set_timeout(10s);
    route::Summary summary;
    auto writer = stub->RecordRoute(&ctx, &summary);
    for (int i = 0; i < 10; ++i) {
      route::Point p;
      p.set_x(i);
      p.set_y(i % 3);
      writer->Write(p);
    }
    brokrpc::Status s = writer->Finish();
    std::printf("client: RecordRoute -> %d points, distance %d, %s\n", summary.points(),
                summary.distance(), s.ToString().c_str());
    failures += s.ok() ? 0 : 1;
  }
  {  // Bidirectional: a writer thread and a reader on this one.
    brokrpc::ClientContext ctx;
    ctx.set_timeout(10s);
    auto chat = stub->RouteChat(&ctx);
    std::thread writer([&] {
      const char* texts[] = {"first", "second", "third", "fourth"};
      for (int i = 0; i < 4; ++i) {
        route::Note note;
        note.mutable_location()->set_x(i % 2);
        note.set_text(texts[i]);
        chat->Write(note);
      }
      chat->WritesDone();
    });
    route::Note note;
    while (chat->Read(&note)) {
      std::printf("client: earlier note at (%d,%d): %s\n", note.location().x(), note.location().y(),
                  note.text().c_str());
    }
    writer.join();
    brokrpc::Status s = chat->Finish();
    std::printf("client: RouteChat -> %s\n", s.ToString().c_str());
    failures += s.ok() ? 0 : 1;
  }
  return failures == 0 ? 0 : 1;
}
