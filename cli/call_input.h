// The request text of `call -d`: inline JSON, @FILE or @- (standard input).
#ifndef BROKRPC_CLI_CALL_INPUT_H_
#define BROKRPC_CLI_CALL_INPUT_H_

#include <optional>
#include <string>
#include <vector>

#include "brokrpc/status_or.h"

namespace brokrpc::cli {

// The text -d names: the text itself, the contents of FILE for @FILE, standard input for @-;
// `fallback` when -d was not given. NOT_FOUND when the file cannot be read.
StatusOr<std::string> ReadRequestText(const std::optional<std::string>& data,
                                      const std::string& fallback);

// The non-blank lines of `text` (one JSON object each, for streaming requests).
std::vector<std::string> NonBlankLines(const std::string& text);

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_CALL_INPUT_H_
