// The services_namespace parameter puts the generated classes in an inner namespace
// (brokrpc_generate(... PLUGIN_OPTIONS services_namespace=svc::rpc), a value holding ':').
#include <catch2/catch.hpp>

#include "case000/greeting.brokrpc.pb.h"

static_assert(greeting::svc::rpc::Greeter::RoutingKeys::kGreet == "/greeting/Greeter/Greet");

TEST_CASE("compile: services_namespace=svc::rpc") {
  CHECK(greeting::svc::rpc::Greeter::spec().full_name == "greeting.Greeter");
}
