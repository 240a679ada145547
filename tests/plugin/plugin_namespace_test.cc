// The services_namespace parameter puts the generated classes in an inner namespace.
#include <catch2/catch.hpp>

#include "case000/greeting.brokrpc.pb.h"

static_assert(greeting::rpc::Greeter::RoutingKeys::kGreet == "/greeting/Greeter/Greet");

TEST_CASE("compile: services_namespace=rpc") {
  CHECK(greeting::rpc::Greeter::spec().full_name == "greeting.Greeter");
}
