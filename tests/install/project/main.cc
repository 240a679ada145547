// install_check URL: serves and calls Pinger.Echo once through the installed package.
#include <cstdio>

#include "brokrpc/brokrpc.h"
#include "ping.brokrpc.pb.h"

class PingerImpl final : public installcheck::Pinger::Service {
  brokrpc::Status Echo(brokrpc::ServerContext*, const installcheck::Ping* request,
                       installcheck::Ping* response) override {
    response->set_text("pong: " + request->text());
    return brokrpc::OkStatus();
  }
};

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto broker = brokrpc::Broker::Create(argv[1]);
  if (!broker.ok() || !(*broker)->Connect().ok()) return 1;
  PingerImpl impl;
  brokrpc::Server server(*broker);
  if (!server.RegisterService(&impl).ok() || !server.Start().ok()) return 1;
  auto stub = installcheck::Pinger::NewStub(brokrpc::CreateChannel(*broker));
  brokrpc::ClientContext ctx;
  installcheck::Ping request, response;
  request.set_text("installed");
  brokrpc::Status s = stub->Echo(&ctx, request, &response);
  std::printf("install_check: %s %s\n", s.ToString().c_str(), response.text().c_str());
  return s.ok() && response.text() == "pong: installed" ? 0 : 1;
}
