#include "brokrpc/options.h"

#include <catch2/catch.hpp>

namespace brokrpc {
namespace {

TEST_CASE("options: merge takes each set field of the override", "[options]") {
  ExchangeOptions base{.name = "base", .durable = true, .auto_delete = false};
  ExchangeOptions over{.type = ExchangeType::kTopic, .auto_delete = true};
  ExchangeOptions merged = MergeOptions(base, over);
  CHECK(merged.name == "base");
  CHECK(merged.type == ExchangeType::kTopic);
  CHECK(merged.durable == true);
  CHECK(merged.auto_delete == true);
}

TEST_CASE("options: unset is distinct from false", "[options]") {
  QueueOptions base{.durable = true};
  QueueOptions explicit_false{.durable = false};
  QueueOptions unset{};
  CHECK(MergeOptions(base, explicit_false).durable == false);
  CHECK(MergeOptions(base, unset).durable == true);
}

TEST_CASE("options: resolve applies AMQP defaults", "[options]") {
  ResolvedExchange e = Resolve(ExchangeOptions{.name = "x"});
  CHECK(e.name == "x");
  CHECK(e.type == ExchangeType::kDirect);
  CHECK_FALSE(e.durable);
  CHECK_FALSE(e.auto_delete);
  ResolvedQueue q = Resolve(QueueOptions{});
  CHECK(q.name.empty());
  CHECK_FALSE(q.exclusive);
  CHECK(DescribeFlags(e) == "type=direct durable=false auto_delete=false arguments={}");
}

TEST_CASE("options: exchange type names", "[options]") {
  CHECK(ExchangeTypeName(ExchangeType::kHeaders) == "headers");
  CHECK(*ParseExchangeType("fanout") == ExchangeType::kFanout);
  CHECK_FALSE(ParseExchangeType("header").ok());
}

TEST_CASE("options: publisher options merge nested exchange", "[options]") {
  PublisherOptions base{.exchange = {.name = "a", .durable = true}, .mandatory = false};
  PublisherOptions over{.exchange = {.auto_delete = true}, .mandatory = true};
  PublisherOptions m = MergeOptions(base, over);
  CHECK(m.exchange.name == "a");
  CHECK(m.exchange.durable == true);
  CHECK(m.exchange.auto_delete == true);
  CHECK(m.mandatory == true);
  CHECK_FALSE(m.confirms.has_value());
}

}  // namespace
}  // namespace brokrpc
