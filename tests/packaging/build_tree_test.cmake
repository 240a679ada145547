# The build tree as a package and brokrpc as a subproject, built the way users would:
#  1. tests/install/project with BrokRPC_DIR=BUILD_DIR (this build, no install): configured, built;
#  2. tests/packaging/parent with FetchContent and with add_subdirectory: configured and generated
#     (targets, brokrpc_generate's protoc and plugin, link items all resolve: CMP0028 makes an
#     unknown Namespace::target an error); the add_subdirectory one is built too (its parent_check
#     target only: the runtime, the plugin and one generated service). That compiles brokrpc once
#     more, so it is made cheap: a unity build (CMAKE_UNITY_BUILD, which the runtime's sources
#     support), -O0 without debug info, and ccache when installed. BROKRPC_TEST_SUBPROJECT_BUILD=0
#     in the environment skips the build (configure only).
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/install/project" -B "${WORK_DIR}/build-tree"
    "-DBrokRPC_DIR=${BUILD_DIR}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build-tree" -j 2)
message(STATUS "BrokRPC_DIR=<build tree>: built")

set(launcher)
find_program(CCACHE ccache)
if(CCACHE)
  set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE}")
endif()
set(parent "${SOURCE_DIR}/tests/packaging/parent")
run("${CMAKE_COMMAND}" -S "${parent}" -B "${WORK_DIR}/fetchcontent" "-DBROKRPC_SOURCE=${SOURCE_DIR}"
    -DBROKRPC_VIA=FetchContent ${launcher})
message(STATUS "FetchContent: configured")
# Debug with CMAKE_CXX_FLAGS_DEBUG=-O0: no optimisation and no -g (the fastest compile).
run("${CMAKE_COMMAND}" -S "${parent}" -B "${WORK_DIR}/add_subdirectory"
    "-DBROKRPC_SOURCE=${SOURCE_DIR}" -DBROKRPC_VIA=add_subdirectory ${launcher}
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0)
message(STATUS "add_subdirectory: configured")
if("$ENV{BROKRPC_TEST_SUBPROJECT_BUILD}" STREQUAL "0")
  message(STATUS "add_subdirectory: not built (BROKRPC_TEST_SUBPROJECT_BUILD=0)")
else()
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/add_subdirectory" -j 2 --target parent_check)
  message(STATUS "add_subdirectory: built")
endif()
