// JSON text helpers: quoting strings, AMQP field values as JSON, and checking JSON text.
#ifndef BROKRPC_CLI_JSON_TEXT_H_
#define BROKRPC_CLI_JSON_TEXT_H_

#include <string>
#include <string_view>

#include "brokrpc/field_table.h"
#include "brokrpc/status.h"

namespace brokrpc::cli {

// `text` as a JSON string literal (quotes included; control characters escaped). `text` must
// be valid UTF-8. Pure; thread-safe.
std::string JsonQuote(std::string_view text);

// Whether `bytes` is well-formed UTF-8.
bool IsUtf8(std::string_view bytes);

// An AMQP field value / table as JSON (void as null, arrays and tables recursively).
std::string FieldValueJson(const FieldValue& value);
std::string FieldTableJson(const FieldTable& table);

// OK when `text` is one JSON value (checked with protobuf's JSON parser through
// google.protobuf.Value), else INVALID_ARGUMENT with the parser's reason.
Status CheckJson(std::string_view text);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_JSON_TEXT_H_
