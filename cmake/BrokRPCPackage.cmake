# CPack: `cpack -G DEB` (in the build directory) makes libbrokrpc-dev_<version>_<arch>.deb with
# everything `cmake --install` installs, under /usr: headers, static libraries, the CMake package,
# brokrpc.pc, the option protos and the plugin.
#
# Depends: what a user's build needs (headers and CMake/pkg-config dependencies, protoc for
# brokrpc_generate) plus, through dpkg-shlibdeps, the shared libraries of the installed programs.
# The static libraries and generated headers are tied to the protobuf and fmt versions they were
# built with, so those are bounded to the same minor (protobuf) and major (fmt) version.
set(CPACK_PACKAGE_NAME libbrokrpc-dev)
set(CPACK_PACKAGE_VENDOR "brokrpc-cpp")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "gRPC-style typed RPC over RabbitMQ for C++ (development files)")
set(CPACK_PACKAGE_DESCRIPTION
    "brokrpc-cpp runs RPC services defined in .proto files over RabbitMQ, wire-compatible with the\n"
    "Python BrokRPC library. This package holds the headers, the static libraries, the CMake\n"
    "package (find_package(BrokRPC)), brokrpc.pc, the brokrpc.spec.v1 option protos and the protoc\n"
    "plugin protoc-gen-brokrpc-cpp.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_CONTACT "brokrpc-cpp maintainers <brokrpc-cpp@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the plugin: libprotoc, libprotobuf, libstdc++, libc

string(REGEX MATCH "^[0-9]+\\.[0-9]+" _pb_minor "${Protobuf_VERSION}")
string(REGEX REPLACE "^([0-9]+)\\.([0-9]+)$" "\\1" _pb_major "${_pb_minor}")
string(REGEX REPLACE "^([0-9]+)\\.([0-9]+)$" "\\2" _pb_min "${_pb_minor}")
math(EXPR _pb_min_next "${_pb_min} + 1")
string(REGEX MATCH "^[0-9]+" _fmt_major "${fmt_VERSION}")
math(EXPR _fmt_next "${_fmt_major} + 1")
string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS
  "libprotobuf-dev (>= ${_pb_minor})" "libprotobuf-dev (<< ${_pb_major}.${_pb_min_next})"
  "protobuf-compiler (>= ${_pb_minor})" "protobuf-compiler (<< ${_pb_major}.${_pb_min_next})"
  "librabbitmq-dev (>= 0.11)"
  "libfmt-dev (>= ${_fmt_major})" "libfmt-dev (<< ${_fmt_next})")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cmake (>= 3.20), pkg-config")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "rabbitmq-server, libgmock-dev")

# Without debug information: a RelWithDebInfo build's libbrokrpc.a is mostly DWARF.
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/BrokRPCStripDebug.cmake)

# Only what cmake --install installs, nothing of the source tree.
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
