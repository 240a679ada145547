# Installs the runtime, the option protos, the plugin, the CMake package (BrokRPCConfig) and the
# pkg-config file (brokrpc.pc).
include(CMakePackageConfigHelpers)

install(TARGETS brokrpc_runtime brokrpc_proto
        EXPORT BrokRPCTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(BROKRPC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/BrokRPC)
install(EXPORT BrokRPCTargets NAMESPACE BrokRPC:: DESTINATION ${BROKRPC_CMAKE_DIR})
# The installed config is generated aside (install-config/); the build directory's own
# BrokRPCConfig.cmake is the build-tree package below.
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/BrokRPCConfig.cmake.in
  ${PROJECT_BINARY_DIR}/install-config/BrokRPCConfig.cmake
  INSTALL_DESTINATION ${BROKRPC_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/BrokRPCConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/install-config/BrokRPCConfig.cmake
  ${PROJECT_BINARY_DIR}/BrokRPCConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/BrokRPCGenerate.cmake
  DESTINATION ${BROKRPC_CMAKE_DIR})

# brokrpc.pc beside the CMake package's directory (lib/pkgconfig). The runtime links rabbitmq-c and
# fmt privately; a static libbrokrpc.a needs them on the link line, so they are public there.
set(BROKRPC_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH BROKRPC_PC_TO_PREFIX "/prefix/${BROKRPC_PC_DIR}" "/prefix")
string(REGEX REPLACE "/$" "" BROKRPC_PC_TO_PREFIX "${BROKRPC_PC_TO_PREFIX}")
if(BUILD_SHARED_LIBS)
  set(BROKRPC_PC_REQUIRES "")
  set(BROKRPC_PC_REQUIRES_PRIVATE "librabbitmq fmt")
else()
  set(BROKRPC_PC_REQUIRES "librabbitmq fmt")
  set(BROKRPC_PC_REQUIRES_PRIVATE "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/brokrpc.pc.in ${PROJECT_BINARY_DIR}/brokrpc.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/brokrpc.pc DESTINATION ${BROKRPC_PC_DIR})

# The build tree as a package: find_package(BrokRPC) with BrokRPC_DIR=<build directory>.
export(EXPORT BrokRPCTargets NAMESPACE BrokRPC:: FILE ${PROJECT_BINARY_DIR}/BrokRPCTargets.cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/BrokRPCConfigBuildTree.cmake.in
               ${PROJECT_BINARY_DIR}/BrokRPCConfig.cmake @ONLY)

# cpack -G DEB, only for brokrpc's own build (in a parent project, CPack is the parent's).
if(BROKRPC_IS_TOP_LEVEL)
  include(${PROJECT_SOURCE_DIR}/cmake/BrokRPCPackage.cmake)
endif()
