#!/usr/bin/env bash
# shellcheck disable=SC2046  # $(pkg-config ...) is split into flags on purpose
# pkgconfig_test.sh PC_DIR WORK_DIR CXX PROTOC GREETER_DIR
# Builds the greeter example with plain `g++ $(pkg-config --cflags --libs brokrpc)` against the
# brokrpc.pc in PC_DIR (an installed prefix's lib/pkgconfig, or an unpacked .deb's): protoc with
# the plugin and option protos that brokrpc.pc names, then the client and the server.
set -euo pipefail
pc_dir=$1 work=$2 cxx=$3 protoc=$4 greeter=$5
export PKG_CONFIG_PATH=$pc_dir
rm -rf "$work"
mkdir -p "$work/gen"
cd "$work"

pkg-config --validate brokrpc
plugin=$(pkg-config --variable=plugin brokrpc)
protodir=$(pkg-config --variable=protodir brokrpc)
echo "pkg-config brokrpc: $(pkg-config --cflags --libs brokrpc)"
"$protoc" -I "$greeter" -I "$protodir" --plugin=protoc-gen-brokrpc-cpp="$plugin" \
  --cpp_out=gen --brokrpc-cpp_out=gen greeter.proto

# The generated code once; then each program in one plain compile-and-link line.
for src in greeter.pb.cc greeter.brokrpc.pb.cc; do
  "$cxx" -std=c++20 -I gen $(pkg-config --cflags brokrpc) -c "gen/$src" -o "${src%.cc}.o"
done
for prog in greeter_client greeter_server; do
  "$cxx" -std=c++20 -I gen "$greeter/$prog.cc" greeter.pb.o greeter.brokrpc.pb.o \
    $(pkg-config --cflags --libs brokrpc) -o "$prog"
done
echo "pkg-config: built greeter_client and greeter_server"
