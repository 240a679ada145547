# The build tree as a package and brokrpc as a subproject, built the way users would:
#  1. tests/install/project with BrokRPC_DIR=BUILD_DIR (this build, no install): configured, built;
#  2. tests/packaging/parent with FetchContent and with add_subdirectory: configured and generated
#     (targets, brokrpc_generate's protoc and plugin, link items all resolve: CMP0028 makes an
#     unknown Namespace::target an error). Building it compiles all of brokrpc once more (minutes
#     on two cores), so that happens only with BROKRPC_TEST_SUBPROJECT_BUILD=1 in the environment
#     (ccache is used when installed).
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
run("${CMAKE_COMMAND}" -S "${parent}" -B "${WORK_DIR}/add_subdirectory"
    "-DBROKRPC_SOURCE=${SOURCE_DIR}" -DBROKRPC_VIA=add_subdirectory ${launcher})
message(STATUS "add_subdirectory: configured")
if("$ENV{BROKRPC_TEST_SUBPROJECT_BUILD}" STREQUAL "1")
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/add_subdirectory" -j 2 --target parent_check)
  message(STATUS "add_subdirectory: built")
endif()
