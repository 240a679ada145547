# Runs protoc + the plugin over PROTOS and compares the .brokrpc.pb.{h,cc} outputs with GOLDEN_DIR
# (or, with -DUPDATE=ON, rewrites GOLDEN_DIR). PROTOS is comma-separated.
string(REPLACE "," ";" PROTOS "${PROTOS}")
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
execute_process(
  COMMAND "${PROTOC}" -I "${PROTO_ROOT}" -I "${BROKRPC_PROTO_DIR}"
          "--plugin=protoc-gen-brokrpc-cpp=${PLUGIN}" "--brokrpc-cpp_out=${OUT_DIR}" ${PROTOS}
  WORKING_DIRECTORY "${PROTO_ROOT}"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "protoc failed (${rc}): ${err}")
endif()
set(failed 0)
foreach(proto IN LISTS PROTOS)
  string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
  foreach(ext .brokrpc.pb.h .brokrpc.pb.cc)
    set(actual "${OUT_DIR}/${stem}${ext}")
    set(golden "${GOLDEN_DIR}/${stem}${ext}")
    if(UPDATE)
      get_filename_component(dir "${golden}" DIRECTORY)
      file(MAKE_DIRECTORY "${dir}")
      file(COPY_FILE "${actual}" "${golden}")
      message(STATUS "updated ${golden}")
      continue()
    endif()
    if(NOT EXISTS "${golden}")
      set(failed 1)
      message("MISSING ${golden} (generated ${actual})")
      continue()
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${golden}" "${actual}"
                    RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      set(failed 1)
      execute_process(COMMAND diff -u "${golden}" "${actual}" OUTPUT_VARIABLE diff)
      message("MISMATCH ${stem}${ext}:\n${diff}")
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "generated code differs from tests/plugin/golden; if intended, run "
                      "cmake --build <build> --target update_plugin_golden")
endif()
