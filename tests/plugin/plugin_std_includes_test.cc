// StdIncludes: which standard headers a generated file includes, from the code it holds.
#include <catch2/catch.hpp>

#include "std_includes.h"

using brokrpc::plugin::StdIncludes;
using Headers = std::set<std::string>;

TEST_CASE("std includes: one header per std:: name used, each once") {
  CHECK(StdIncludes("std::unique_ptr<A> a;\nstd::shared_ptr<B> b = std::make_unique<B>();\n") ==
        Headers{"<memory>"});
  CHECK(StdIncludes("std::string_view v; std::string s;") == Headers{"<string>", "<string_view>"});
  CHECK(StdIncludes("std::function<void(std::future<int>)> f;") ==
        Headers{"<functional>", "<future>"});
  CHECK(StdIncludes("x = std::numeric_limits<double>::infinity(); std::int64_t{1}") ==
        Headers{"<cstdint>", "<limits>"});
}

TEST_CASE("std includes: nothing for code without std:: names") {
  CHECK(StdIncludes("").empty());
  CHECK(StdIncludes("class A {};\n::brokrpc::Status s;\n").empty());
}

TEST_CASE("std includes: comment lines, other namespaces and unknown names are not counted") {
  CHECK(StdIncludes("  // Uses std::vector and std::move.\n// std::string\n").empty());
  CHECK(StdIncludes("mine::std::vector<int> v; xstd::string s;").empty());
  CHECK(StdIncludes("std::vectorial v; std::optional<int> o;").empty());
}

TEST_CASE("std includes: what the implemented header provides is left out") {
  CHECK(StdIncludes("std::move(a); std::unique_ptr<A> p;", Headers{"<memory>"}) ==
        Headers{"<utility>"});
}
