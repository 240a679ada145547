#!/usr/bin/env bash
# deb_test.sh BUILD_DIR WORK_DIR PROJECT_DIR
# `cpack -G DEB` makes libbrokrpc-dev; its control fields name the dependencies a user's build
# needs (and apt can satisfy them here); `dpkg -x` unpacks it into a throwaway root, and the
# out-of-tree project PROJECT_DIR (tests/install/project) builds against that root with
# find_package(BrokRPC), as it would against /usr after `apt-get install ./libbrokrpc-dev_*.deb`.
set -euo pipefail
build=$1 work=$2 project=$3
rm -rf "$work"
mkdir -p "$work"

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
debs=("$work"/pkg/libbrokrpc-dev_*.deb)
deb=${debs[0]}
[[ -f $deb ]] || { echo "cpack made no libbrokrpc-dev_*.deb"; exit 1; }
echo "deb: $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for need in libprotobuf-dev protobuf-compiler librabbitmq-dev libfmt-dev libprotoc32 libc6; do
  [[ ", $depends," == *", $need "* ]] || { echo "Depends lacks $need"; exit 1; }
done
# Every dependency (names and versions) is satisfied by this machine's packages.
apt-get install --simulate --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; exit 1; }
grep -q '^Inst libbrokrpc-dev ' "$work/apt.log" || { cat "$work/apt.log"; exit 1; }

contents=$(dpkg-deb -c "$deb")
for path in ./usr/include/brokrpc/brokrpc.h ./usr/lib/libbrokrpc.a ./usr/lib/libbrokrpc_proto.a \
  ./usr/lib/cmake/BrokRPC/BrokRPCConfig.cmake ./usr/lib/pkgconfig/brokrpc.pc \
  ./usr/share/brokrpc/proto/brokrpc/spec/v1/amqp.proto ./usr/bin/protoc-gen-brokrpc-cpp \
  ./usr/bin/brokrpc; do
  grep -q " $path\$" <<<"$contents" || { echo "the package lacks $path"; exit 1; }
done

dpkg -x "$deb" "$work/root"
cmake -S "$project" -B "$work/project-build" -DCMAKE_PREFIX_PATH="$work/root/usr" >/dev/null
grep -q "^BrokRPC_DIR:PATH=$work/root/usr/lib/cmake/BrokRPC\$" "$work/project-build/CMakeCache.txt" ||
  { echo "find_package(BrokRPC) did not use the unpacked package:"; grep BrokRPC_DIR "$work/project-build/CMakeCache.txt"; exit 1; }
cmake --build "$work/project-build" -j 2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "deb: the out-of-tree project built against the unpacked package"
