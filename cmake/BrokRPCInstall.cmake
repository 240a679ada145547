# Installs the runtime, the option protos, the plugin and the CMake package (BrokRPCConfig).
include(CMakePackageConfigHelpers)

install(TARGETS brokrpc_runtime brokrpc_proto
        EXPORT BrokRPCTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(BROKRPC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/BrokRPC)
install(EXPORT BrokRPCTargets NAMESPACE BrokRPC:: DESTINATION ${BROKRPC_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/BrokRPCConfig.cmake.in
  ${PROJECT_BINARY_DIR}/BrokRPCConfig.cmake
  INSTALL_DESTINATION ${BROKRPC_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/BrokRPCConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/BrokRPCConfig.cmake
  ${PROJECT_BINARY_DIR}/BrokRPCConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/BrokRPCGenerate.cmake
  DESTINATION ${BROKRPC_CMAKE_DIR})
