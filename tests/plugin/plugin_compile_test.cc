// Generated code compiles, links, runs, and names things exactly as the Python generator does.
#include <catch2/catch.hpp>
#include <vector>

#include "brokrpc/broker.h"
#include "brokrpc/channel.h"
#include "brokrpc/server.h"
#include "case000/greeting.brokrpc.pb.h"
#include "case006/bar.brokrpc.pb.h"
#include "case006/foo.brokrpc.pb.h"
#include "case007/foo.brokrpc.pb.h"
#include "greeter/greeter.brokrpc.pb.h"
#include "tricky/common.brokrpc.pb.h"
#include "tricky/nothing.brokrpc.pb.h"
#include "tricky/reserved.brokrpc.pb.h"
#include "tricky/shop.brokrpc.pb.h"

namespace {

using namespace std::chrono_literals;
namespace shop = acme::shop::inventory::stock::api::v1;

// The wire names the Python generator emits for the same protos (codegen-study 2.8).
static_assert(greeting::Greeter::RoutingKeys::kGreet == "/greeting/Greeter/Greet");
static_assert(greeting::Greeter::QueueNames::kGreet == "/greeting/Greeter/Greet");
static_assert(greeting::Greeter::service_full_name() == "greeting.Greeter");
static_assert(bar::BarService::RoutingKeys::kDoBar == "/bar/BarService/DoBar");
static_assert(bar::BarService::QueueNames::kDoBar == "bar-queue-name");
static_assert(foo::FooService::RoutingKeys::kNotifyFoo == "/foo/FooService/NotifyFoo");
static_assert(foo::FooService::QueueNames::kNotifyFoo == "/foo/FooService/NotifyFoo");
static_assert(shop::Shop::RoutingKeys::kGetItem ==
              "/acme.shop.inventory.stock.api.v1/Shop/GetItem");
static_assert(shop::Shop::RoutingKeys::knew == "/acme.shop.inventory.stock.api.v1/Shop/new");
static_assert(shop::Shop::QueueNames::kForget == "forget-queue");
static_assert(shop::Shop::kRateIndex == 2);
static_assert(std::is_abstract_v<greeting::Greeter::StubInterface>);
static_assert(std::is_base_of_v<brokrpc::Service, greeting::Greeter::Service>);
static_assert(std::is_final_v<greeting::Greeter::Stub>);
// upstream's examples/greeting: Greet replies, NotifyGreet is fire-and-forget.
static_assert(greeter::v1::Greeter::RoutingKeys::kGreet == "/greeter.v1/Greeter/Greet");
static_assert(greeter::v1::Greeter::RoutingKeys::kNotifyGreet == "/greeter.v1/Greeter/NotifyGreet");
static_assert(greeter::v1::Greeter::QueueNames::kNotifyGreet == "/greeter.v1/Greeter/NotifyGreet");
static_assert(greeter::v1::Greeter::kNotifyGreetIndex == 1);
// Names of generated members, escaped.
static_assert(acme::reserved::Service_::RoutingKeys::kService == "/acme.reserved/Service/Service");
static_assert(acme::reserved::RoutingKeys_::RoutingKeys::kGet == "/acme.reserved/RoutingKeys/Get");
static_assert(acme::reserved::Service_::service_full_name() == "acme.reserved.Service");

TEST_CASE("compile: case_000 spec: no exchange option, queue named by the routing key") {
  const brokrpc::ServiceSpec& spec = greeting::Greeter::spec();
  CHECK(spec.full_name == "greeting.Greeter");
  CHECK(spec.package == "greeting");
  CHECK(spec.exchange == brokrpc::ExchangeOptions{});
  REQUIRE(spec.methods.size() == 1);
  const brokrpc::MethodSpec& m = spec.methods[0];
  CHECK(m.name == "Greet");
  CHECK(m.kind == brokrpc::MethodKind::kUnary);
  CHECK(m.request_type == "greeting.GreetRequest");
  CHECK(m.response_type == "greeting.GreetResponse");
  CHECK(m.queue == brokrpc::QueueOptions{.name = "/greeting/Greeter/Greet"});
}

TEST_CASE("compile: case_006 spec: exchange and queue options with presence") {
  const brokrpc::ServiceSpec& spec = bar::BarService::spec();
  CHECK(spec.exchange == brokrpc::ExchangeOptions{.name = "bar-exchange-name",
                                                  .type = brokrpc::ExchangeType::kTopic,
                                                  .auto_delete = true});
  CHECK_FALSE(spec.exchange.durable.has_value());  // absent in the option: stays unset
  REQUIRE(spec.methods.size() == 1);
  CHECK(spec.methods[0].request_type == "google.protobuf.Empty");
  CHECK(spec.methods[0].response_type == "google.protobuf.Empty");
  CHECK(spec.methods[0].kind == brokrpc::MethodKind::kUnary);  // Empty is an ordinary RPC
  CHECK(spec.methods[0].queue == brokrpc::QueueOptions{.name = "bar-queue-name", .durable = true});
}

TEST_CASE("compile: case_007 spec: Void output is fire-and-forget") {
  const brokrpc::ServiceSpec& spec = foo::FooService::spec();
  REQUIRE(spec.methods.size() == 1);
  CHECK(spec.methods[0].kind == brokrpc::MethodKind::kFireAndForget);
  CHECK(spec.methods[0].response_type.empty());
}

TEST_CASE("compile: tricky spec: exchange types, x-arguments of every kind, escaping") {
  const brokrpc::ServiceSpec& spec = shop::Shop::spec();
  CHECK(spec.exchange.name == "acme \"shop\" ex?");
  CHECK(spec.exchange.type == brokrpc::ExchangeType::kTopic);
  CHECK(shop::Idle::spec().exchange.type == brokrpc::ExchangeType::kHeaders);
  CHECK(spec.exchange.durable == false);
  REQUIRE(spec.exchange.arguments.has_value());
  CHECK(*spec.exchange.arguments->FindString("alternate-exchange") == "unrouted");
  const brokrpc::QueueOptions& q = spec.methods[shop::Shop::kGetItemIndex].queue;
  REQUIRE(q.arguments.has_value());
  const brokrpc::FieldTable& args = *q.arguments;
  CHECK(*args.FindString("x-queue-type") == "quorum");
  CHECK(*args.Find("x-max-length")->get_if<int64_t>() == 1000);
  CHECK(*args.Find("x-weight")->get_if<double>() == 1.5);
  CHECK(*args.Find("x-flag")->get_if<bool>() == true);
  CHECK(args.Find("x-nothing")->is_void());
  const auto* list = args.Find("x-list")->get_if<brokrpc::FieldArray>();
  REQUIRE(list != nullptr);
  REQUIRE(list->size() == 2);
  CHECK(*(*list)[1].get_if<std::string>() == "two");
  const auto* map = args.Find("x-map")->get_if<brokrpc::FieldTable>();
  REQUIRE(map != nullptr);
  CHECK(*map->Find("k")->get_if<int64_t>() == INT64_MIN);
  CHECK(*map->Find("k2")->get_if<int64_t>() == -INT64_MAX);
  CHECK(q.durable == true);
  CHECK(shop::Idle::spec().methods.empty());
}

TEST_CASE("compile: greeter spec: both method kinds, options on each") {
  const brokrpc::ServiceSpec& spec = greeter::v1::Greeter::spec();
  CHECK(spec.exchange == brokrpc::ExchangeOptions{.name = "greetings", .auto_delete = true});
  REQUIRE(spec.methods.size() == 2);
  CHECK(spec.methods[0].kind == brokrpc::MethodKind::kUnary);
  CHECK(spec.methods[0].queue ==
        brokrpc::QueueOptions{.name = "/greeter.v1/Greeter/Greet", .auto_delete = true});
  CHECK(spec.methods[1].kind == brokrpc::MethodKind::kFireAndForget);
  CHECK(spec.methods[1].request_type == "greeter.v1.GreetResponse");
  CHECK(spec.methods[1].response_type.empty());
  CHECK(spec.methods[1].queue ==
        brokrpc::QueueOptions{.name = "/greeter.v1/Greeter/NotifyGreet", .durable = true});
}

// Methods named like generated members: Service_, Stub_, StubInterface_, channel__,
// MethodsServedBy_ are escaped;
// channel, spec and AddUnaryHandler overload or hide without breaking the generated code.
class ReservedImpl : public acme::reserved::Service_::Service {
 public:
  brokrpc::Status Stub_(brokrpc::ServerContext*, const acme::reserved::M*,
                        acme::reserved::M*) override {
    return brokrpc::OkStatus();
  }
  brokrpc::Status spec(brokrpc::ServerContext*, const acme::reserved::M*,
                       acme::reserved::M*) override {
    return brokrpc::OkStatus();
  }
};

TEST_CASE("compile: proto names equal to generated member names") {
  ReservedImpl impl;
  const brokrpc::Service& base = impl;
  CHECK(base.spec().full_name == "acme.reserved.Service");
  REQUIRE(base.spec().methods.size() == 8);
  CHECK(base.spec().methods[acme::reserved::Service_::kchannel_Index].name == "channel_");
  using acme::reserved::Service_;
  std::vector<bool> served = Service_::Service::MethodsServedBy<ReservedImpl>();
  REQUIRE(served.size() == 8);
  for (size_t i = 0; i < served.size(); ++i) {
    INFO(base.spec().methods[i].name);
    CHECK(served[i] == (i == Service_::kStubIndex || i == Service_::kspecIndex));
  }
  auto broker = brokrpc::Broker::Create("memory://plugin-reserved").value();
  auto stub = acme::reserved::Service_::NewStub(brokrpc::CreateChannel(broker));
  CHECK(stub->channel() != nullptr);
  std::unique_ptr<acme::reserved::Service_::StubInterface> iface = std::move(stub);
  CHECK(iface != nullptr);
}

// A server implementing a keyword-named method, served and called over memory://.
class ShopImpl : public shop::Shop::Service {
 public:
  brokrpc::Status new_(brokrpc::ServerContext*, const shop::Item_Variant_Size* request,
                       shop::class_* response) override {
    response->set_int_(request->width() * request->height());
    response->set_default_("made");
    return brokrpc::OkStatus();
  }
};

TEST_CASE("compile: a generated service and stub talk over memory://") {
  auto broker = brokrpc::Broker::Create("memory://plugin-compile").value();
  REQUIRE(broker->Connect().ok());
  brokrpc::BrokerOptions options;
  auto server_broker = brokrpc::Broker::Create("memory://plugin-compile").value();
  REQUIRE(server_broker->Connect().ok());
  ShopImpl impl;
  brokrpc::Server server(server_broker);
  REQUIRE(server.RegisterService(&impl).ok());
  REQUIRE(server.Start().ok());
  auto stub = shop::Shop::NewStub(brokrpc::CreateChannel(broker));

  brokrpc::ClientContext ctx;
  shop::Item_Variant_Size size;
  size.set_width(6);
  size.set_height(7);
  shop::class_ made;
  brokrpc::Status s = stub->new_(&ctx, size, &made);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(made.int_() == 42);
  CHECK(made.default_() == "made");

  // Not overridden by ShopImpl: not consumed, so nothing routes them.
  brokrpc::ClientContext unserved;
  shop::Item item;
  google::protobuf::StringValue id;
  id.set_value("x");
  brokrpc::Status u = stub->GetItem(&unserved, id, &item);
  INFO(u.ToString());
  CHECK(u.code() == brokrpc::StatusCode::kUnavailable);
  brokrpc::ClientContext forget_unserved;
  CHECK(stub->Forget(&forget_unserved, shop::class_()).code() == brokrpc::StatusCode::kUnavailable);
  REQUIRE(server.Shutdown(5s).ok());

  // Registered through the generated base, every method is served: the defaults answer
  // UNIMPLEMENTED.
  brokrpc::Server all(server_broker);
  shop::Shop::Service* base = &impl;
  REQUIRE(all.RegisterService(base).ok());
  REQUIRE(all.Start().ok());
  brokrpc::ClientContext unimplemented;
  u = stub->GetItem(&unimplemented, id, &item);
  CHECK(u.code() == brokrpc::StatusCode::kUnimplemented);
  CHECK(u.message() == "method /acme.shop.inventory.stock.api.v1/Shop/GetItem is not implemented");

  brokrpc::ClientContext async_ctx;
  auto future = stub->AsyncRate(&async_ctx, common::types::Money_Rate());
  CHECK(future.get().status().code() == brokrpc::StatusCode::kUnimplemented);

  brokrpc::ClientContext forget;
  CHECK(stub->Forget(&forget, shop::class_()).ok());  // consumed, then rejected (unimplemented)
  REQUIRE(all.Shutdown(5s).ok());
}

// Overrides Rate privately and GetItem through a class in between.
class ShopMiddle : public shop::Shop::Service {
 public:
  brokrpc::Status GetItem(brokrpc::ServerContext*, const google::protobuf::StringValue*,
                          shop::Item*) override {
    return brokrpc::OkStatus();
  }
};
class ShopLeaf : public ShopMiddle {
 private:
  brokrpc::Status Rate(brokrpc::ServerContext*, const common::types::Money_Rate*,
                       google::protobuf::Duration*) override {
    return brokrpc::OkStatus();
  }
};
// Overrides nothing.
class ShopNothing : public shop::Shop::Service {};

TEST_CASE("compile: MethodsServedBy lists the methods a class overrides") {
  using shop::Shop;
  std::vector<bool> leaf = Shop::Service::MethodsServedBy<ShopLeaf>();
  REQUIRE(leaf.size() == Shop::spec().methods.size());
  for (size_t i = 0; i < leaf.size(); ++i) {
    INFO(Shop::spec().methods[i].name);
    CHECK(leaf[i] == (i == Shop::kGetItemIndex || i == Shop::kRateIndex));
  }
  std::vector<bool> impl = Shop::Service::MethodsServedBy<ShopImpl>();
  for (size_t i = 0; i < impl.size(); ++i) CHECK(impl[i] == (i == Shop::knewIndex));
  for (bool served : Shop::Service::MethodsServedBy<Shop::Service>()) CHECK(served);

  auto broker = brokrpc::Broker::Create("memory://plugin-served-by").value();
  brokrpc::Server server(broker);
  ShopNothing nothing;
  CHECK(server.RegisterService(&nothing).code() == brokrpc::StatusCode::kInvalidArgument);
  ShopLeaf leaf_impl;
  CHECK(server.RegisterService(&leaf_impl, std::vector<bool>{true}).code() ==
        brokrpc::StatusCode::kInvalidArgument);  // not one entry per method
  CHECK(server.RegisterService(&leaf_impl).ok());
}

}  // namespace

// Every streaming kind, generated, served and called over memory://.
#include "tricky/streams.brokrpc.pb.h"

namespace {

static_assert(acme::streams::Route::RoutingKeys::kWalk == "/acme.streams/Route/Walk");

class RouteImpl : public acme::streams::Route::Service {
 public:
  brokrpc::Status Walk(brokrpc::ServerContext*, const google::protobuf::Int32Value* limit,
                       brokrpc::ServerWriter<acme::streams::Point>* writer) override {
    for (int i = 0; i < limit->value(); ++i) {
      acme::streams::Point p;
      p.set_x(i);
      if (!writer->Write(p)) return brokrpc::CancelledError("gone");
    }
    return brokrpc::OkStatus();
  }
  brokrpc::Status Record(brokrpc::ServerContext*, brokrpc::ServerReader<acme::streams::Point>* r,
                         acme::streams::Summary* summary) override {
    acme::streams::Point p;
    while (r->Read(&p)) {
      summary->set_count(summary->count() + 1);
      summary->set_total(summary->total() + p.x());
    }
    return brokrpc::OkStatus();
  }
  brokrpc::Status Mirror(
      brokrpc::ServerContext*,
      brokrpc::ServerReaderWriter<acme::streams::Point, acme::streams::Point>* s) override {
    acme::streams::Point p;
    while (s->Read(&p)) {
      acme::streams::Point m;
      m.set_x(p.y());
      m.set_y(p.x());
      s->Write(m);
    }
    return brokrpc::OkStatus();
  }
};

TEST_CASE("compile: generated streaming methods work end to end") {
  CHECK(acme::streams::Route::spec().methods[acme::streams::Route::kWalkIndex].kind ==
        brokrpc::MethodKind::kServerStreaming);
  CHECK(acme::streams::Route::spec().methods[acme::streams::Route::kRecordIndex].kind ==
        brokrpc::MethodKind::kClientStreaming);
  CHECK(acme::streams::Route::spec().methods[acme::streams::Route::kMirrorIndex].kind ==
        brokrpc::MethodKind::kBidiStreaming);
  auto server_broker = brokrpc::Broker::Create("memory://plugin-streams").value();
  REQUIRE(server_broker->Connect().ok());
  RouteImpl impl;
  brokrpc::Server server(server_broker);
  REQUIRE(server.RegisterService(&impl).ok());
  REQUIRE(server.Start().ok());
  auto broker = brokrpc::Broker::Create("memory://plugin-streams").value();
  auto stub = acme::streams::Route::NewStub(brokrpc::CreateChannel(broker));

  brokrpc::ClientContext walk_ctx;
  google::protobuf::Int32Value limit;
  limit.set_value(3);
  auto walk = stub->Walk(&walk_ctx, limit);
  acme::streams::Point p;
  int n = 0;
  while (walk->Read(&p)) CHECK(p.x() == n++);
  CHECK(walk->Finish().ok());
  CHECK(n == 3);

  brokrpc::ClientContext record_ctx;
  acme::streams::Summary summary;
  auto record = stub->Record(&record_ctx, &summary);
  for (int i = 1; i <= 4; ++i) {
    acme::streams::Point q;
    q.set_x(i);
    REQUIRE(record->Write(q));
  }
  REQUIRE(record->Finish().ok());
  CHECK(summary.count() == 4);
  CHECK(summary.total() == 10);

  brokrpc::ClientContext mirror_ctx;
  auto mirror = stub->Mirror(&mirror_ctx);
  acme::streams::Point q;
  q.set_x(1);
  q.set_y(2);
  REQUIRE(mirror->Write(q));
  REQUIRE(mirror->WritesDone());
  REQUIRE(mirror->Read(&p));
  CHECK(p.x() == 2);
  CHECK(p.y() == 1);
  CHECK_FALSE(mirror->Read(&p));
  CHECK(mirror->Finish().ok());

  brokrpc::ClientContext ping_ctx;
  CHECK(stub->Ping(&ping_ctx, q, &p).code() == brokrpc::StatusCode::kUnavailable);  // not served
  REQUIRE(server.Shutdown(std::chrono::seconds(5)).ok());
}

}  // namespace
