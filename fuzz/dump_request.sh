#!/bin/sh
# A protoc "plugin" that saves the CodeGeneratorRequest it gets (a fuzzing seed) and answers
# with a CodeGeneratorResponse that only declares proto3 optional support
# (supported_features = 1: field 2, varint -> bytes 0x10 0x01).
cat > "$BROKRPC_DUMP_TO"
printf '\020\001'
