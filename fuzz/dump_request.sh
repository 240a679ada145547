#!/bin/sh
# A protoc "plugin" that saves the CodeGeneratorRequest it gets (a fuzzing seed) and answers
# with an empty CodeGeneratorResponse (zero bytes).
cat > "$BROKRPC_DUMP_TO"
