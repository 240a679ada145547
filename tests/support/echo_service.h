// A hand-written service (no generated code) for RPC tests: "test.Echo" on a unique exchange.
#ifndef BROKRPC_TESTS_SUPPORT_ECHO_SERVICE_H_
#define BROKRPC_TESTS_SUPPORT_ECHO_SERVICE_H_

#include <google/protobuf/wrappers.pb.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "brokrpc/channel.h"
#include "brokrpc/field_table.h"
#include "brokrpc/service.h"

namespace brokrpc::testing {

using google::protobuf::StringValue;

// The wire description of test.Echo, owning its strings. Methods:
//   0 Echo(StringValue) -> StringValue          unary: replies "echo: <value>"
//   1 Notify(StringValue) -> Void               fire-and-forget
class EchoSpec {
 public:
  static constexpr size_t kEcho = 0;
  static constexpr size_t kNotify = 1;

  // `exchange` names the service's exchange (auto-delete); `package` decides routing keys.
  // `auto_delete` applies to the method queues (false keeps requests across server restarts).
  explicit EchoSpec(std::string exchange, std::string package = "test", bool auto_delete = true,
                    FieldTable queue_arguments = {});
  const ServiceSpec& spec() const { return spec_; }
  const std::string& exchange() const { return exchange_; }
  std::string routing_key(size_t method) const { return keys_[method]; }

 private:
  std::string exchange_;
  std::string package_;
  std::string full_name_;
  std::string keys_[2];
  ServiceSpec spec_;
};

// The server side: what Echo does is up to `on_echo` (default: "echo: " + value).
class EchoService : public Service {
 public:
  using EchoFn = std::function<Status(ServerContext*, const StringValue&, StringValue*)>;
  using NotifyFn = std::function<ConsumeResult(ServerContext*, const StringValue&)>;

  EchoService(const EchoSpec& spec, EchoFn on_echo = nullptr, NotifyFn on_notify = nullptr);

  std::atomic<int> echo_calls{0};
  std::atomic<int> notify_calls{0};

 private:
  EchoFn on_echo_;
  NotifyFn on_notify_;
};

// A StringValue holding `value`, encoded as a request or message for the untyped Channel API.
Message EncodedString(const std::string& value);

// Typed client calls over a Channel, the way a generated stub makes them.
Status CallEcho(Channel& channel, const EchoSpec& spec, ClientContext* ctx,
                const std::string& value, std::string* reply);
Status CallNotify(Channel& channel, const EchoSpec& spec, ClientContext* ctx,
                  const std::string& value);

}  // namespace brokrpc::testing

#endif  // BROKRPC_TESTS_SUPPORT_ECHO_SERVICE_H_
