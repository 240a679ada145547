# Runs `buf generate` with examples/buf.gen.yaml (protobuf's C++ generator + the plugin, found on
# PATH from PLUGIN_DIR), builds the greeter client from its output, compiles the other examples'
# generated code, and checks that plugin parameters reach the plugin through `opt:` (and that a
# bad one fails buf). Prints "SKIPPED:" (ctest: skipped) only when no `buf` is installed.
#
#   -DEXAMPLES_DIR= -DWORK_DIR= -DPLUGIN_DIR= -DPROTOC_DIR= -DCXX=
#   -DINCLUDES=a,b  -DLIBS=a,b   (comma-separated: add_test would split a ;-list)
find_program(BUF buf)
if(NOT BUF)
  message("SKIPPED: buf is not installed (scripts/setup installs it from npm: @bufbuild/buf)")
  return()
endif()
string(REPLACE "," ";" INCLUDES "${INCLUDES}")
string(REPLACE "," ";" LIBS "${LIBS}")
set(ENV{PATH} "${PLUGIN_DIR}:${PROTOC_DIR}:$ENV{PATH}")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${EXAMPLES_DIR}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

# 1. The template as shipped: all four files for each example.
run("${BUF}" generate -o "${WORK_DIR}")
set(gen "${WORK_DIR}/gen")
foreach(stem greeter notifications route)
  foreach(ext .pb.h .pb.cc .brokrpc.pb.h .brokrpc.pb.cc)
    if(NOT EXISTS "${gen}/${stem}${ext}")
      message(FATAL_ERROR "buf generate did not write gen/${stem}${ext}")
    endif()
  endforeach()
endforeach()

# 2. It compiles: the greeter client is built and linked; the rest is compiled.
set(flags -std=c++20 -Wall -Wextra -I "${gen}")
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags -I "${dir}")
endforeach()
set(objects)
foreach(src "${gen}/greeter.pb.cc" "${gen}/greeter.brokrpc.pb.cc"
        "${EXAMPLES_DIR}/greeter/greeter_client.cc")
  get_filename_component(name "${src}" NAME)
  run("${CXX}" ${flags} -c "${src}" -o "${WORK_DIR}/${name}.o")
  list(APPEND objects "${WORK_DIR}/${name}.o")
endforeach()
run("${CXX}" ${objects} -o "${WORK_DIR}/greeter_client" ${LIBS} -pthread)
foreach(stem notifications route)
  run("${CXX}" ${flags} -fsyntax-only "${gen}/${stem}.brokrpc.pb.cc")
endforeach()

# 3. Plugin parameters through opt: (a ':' inside a value is fine), and a bad one fails buf.
run("${BUF}" generate -o "${WORK_DIR}/opt" --template
    [[{"version":"v2","plugins":[{"local":"protoc-gen-brokrpc-cpp","out":".","opt":["services_namespace=outer::inner","no-parallel"]}],"inputs":[{"directory":"greeter"}]}]])
file(READ "${WORK_DIR}/opt/greeter.brokrpc.pb.h" header)
if(NOT header MATCHES "namespace greeting::outer::inner {")
  message(FATAL_ERROR "opt: services_namespace did not reach the plugin:\n${header}")
endif()
execute_process(
  COMMAND "${BUF}" generate -o "${WORK_DIR}/bad" --template
          [[{"version":"v2","plugins":[{"local":"protoc-gen-brokrpc-cpp","out":".","opt":["colour=blue"]}],"inputs":[{"directory":"greeter"}]}]]
  WORKING_DIRECTORY "${EXAMPLES_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "unknown parameter 'colour'")
  message(FATAL_ERROR "buf with opt colour=blue: expected the plugin's error, got (${rc}): ${err}")
endif()
message(STATUS "buf generate: generated, compiled and linked; opt: reaches the plugin")
