// amqps:// against a private broker with a TLS listener and certificates made by the test.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "support/echo_service.h"
#include "support/test_support.h"

namespace brokrpc {
namespace {

using namespace std::chrono_literals;
using testing::EchoService;
using testing::EchoSpec;
using testing::UniqueName;

std::string Script() {
  const char* s = std::getenv("BROKRPC_RABBITMQ_SCRIPT");
  return s ? s : BROKRPC_SOURCE_DIR "/scripts/rabbitmq";
}

void Run(const std::string& command) {
  INFO("command: " << command);
  REQUIRE(std::system(command.c_str()) == 0);
}

std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[256];
  while (fgets(buf, sizeof(buf), pipe) != nullptr) out += buf;
  INFO("command: " << command);
  REQUIRE(pclose(pipe) == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// A CA, a server certificate for localhost signed by it, and an unrelated CA.
void MakeCertificates(const std::string& dir) {
  std::string q = " >/dev/null 2>&1";
  Run("cd " + dir + " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca" +
      " -keyout ca.key -out ca.pem" + q);
  Run("cd " + dir + " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wrong-ca" +
      " -keyout wrong.key -out wrong.pem" + q);
  Run("cd " + dir + " && openssl req -newkey rsa:2048 -nodes -subj /CN=localhost" +
      " -keyout server.key -out server.csr" + q);
  std::ofstream(dir + "/san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  Run("cd " + dir + " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key" +
      " -CAcreateserial -days 2 -extfile san.ext -out server.pem" + q);
  Run("chmod 644 " + dir + "/*.key");
}

// A temporary directory, removed by the destructor (declared before the node that lives in it,
// so that the node is stopped first).
struct TempDir {
  std::string path = Output("mktemp -d /tmp/brokrpc-tls.XXXXXX");
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

// A private node with a TLS listener; stopped by the destructor.
struct TlsNode {
  std::string dir;
  std::string env;
  int tls_port = 0;
  explicit TlsNode(const std::string& certs) {
    dir = certs + "/node";
    env = "BROKRPC_RABBIT_DIR=" + dir + " ";
    std::string url = Output(env + Script() + " start 2>/dev/null");
    int amqp_port = std::stoi(url.substr(url.rfind(':') + 1));
    tls_port = amqp_port + 13;  // unused in the node's port block (scripts/rabbitmq)
    std::ofstream(dir + "/conf.d/tls.conf")
        << "listeners.ssl.default = 127.0.0.1:" << tls_port << "\n"
        << "ssl_options.cacertfile = " << certs << "/ca.pem\n"
        << "ssl_options.certfile = " << certs << "/server.pem\n"
        << "ssl_options.keyfile = " << certs << "/server.key\n"
        << "ssl_options.verify = verify_none\n"
        << "ssl_options.fail_if_no_peer_cert = false\n";
    Output(env + Script() + " restart 2>/dev/null");
  }
  ~TlsNode() { std::system((env + Script() + " stop >/dev/null 2>&1").c_str()); }
  std::string Url(const std::string& query) const {
    return "amqps://guest:tls-secret-pw@localhost:" + std::to_string(tls_port) + "/?" + query;
  }
};

TEST_CASE("tls: amqps with certificate verification, a wrong CA is refused", "[tls][slow]") {
  TempDir temp;
  const std::string& certs = temp.path;
  MakeCertificates(certs);
  TlsNode node(certs);
  Run(node.env + Script() + " ctl change_password guest tls-secret-pw >/dev/null 2>&1");

  // The right CA: connected, and RPC works over TLS.
  auto broker = Broker::Create(node.Url("cacertfile=" + certs + "/ca.pem"));
  REQUIRE(broker.ok());
  Status connected = (*broker)->Connect();
  INFO(connected.ToString());
  REQUIRE(connected.ok());
  EchoSpec spec(UniqueName("tls"));
  EchoService service(spec);
  Server server(*broker);
  REQUIRE(server.RegisterService(&service).ok());
  REQUIRE(server.Start().ok());
  auto channel = CreateChannel(*broker);
  ClientContext ctx;
  std::string reply;
  REQUIRE(testing::CallEcho(*channel, spec, &ctx, "secure", &reply).ok());
  CHECK(reply == "echo: secure");
  REQUIRE(server.Shutdown(5s).ok());

  // A CA that did not sign the server's certificate: refused, clearly, without the password.
  auto wrong = Broker::Create(node.Url("cacertfile=" + certs + "/wrong.pem"));
  REQUIRE(wrong.ok());
  Status refused = (*wrong)->Connect();
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK_THAT(
      refused.message(),
      Catch::Contains("TLS handshake with localhost:" + std::to_string(node.tls_port) + " failed"));
  CHECK_THAT(refused.message(), !Catch::Contains("tls-secret-pw"));
  CHECK((*wrong)->redacted_url().find("tls-secret-pw") == std::string::npos);

  // A missing CA file is named.
  auto missing = Broker::Create(node.Url("cacertfile=/nonexistent/ca.pem"));
  Status bad_file = (*missing)->Connect();
  CHECK_THAT(bad_file.message(), Catch::Contains("/nonexistent/ca.pem"));

  // verify=false accepts the unknown CA (for tests only; documented as insecure).
  auto unverified = Broker::Create(node.Url("cacertfile=" + certs + "/wrong.pem&verify=false"));
  CHECK((*unverified)->Connect().ok());
}

}  // namespace
}  // namespace brokrpc
