# Runs protoc + the plugin on PROTO (with the plugin parameters PARAMS, if any). Expects a failure
# whose output matches the regex EXPECTED, or with -DSUCCESS=ON a success.
file(MAKE_DIRECTORY "${OUT_DIR}")
set(opt)
if(PARAMS)
  set(opt "--brokrpc-cpp_opt=${PARAMS}")
endif()
execute_process(
  COMMAND "${PROTOC}" -I "${PROTO_ROOT}" -I "${BROKRPC_PROTO_DIR}"
          "--plugin=protoc-gen-brokrpc-cpp=${PLUGIN}" "--brokrpc-cpp_out=${OUT_DIR}" ${opt}
          "${PROTO}"
  WORKING_DIRECTORY "${PROTO_ROOT}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(SUCCESS)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "protoc failed (${rc}) on ${PROTO} with '${PARAMS}': ${stderr}")
  endif()
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "protoc succeeded on ${PROTO}; expected an error matching: ${EXPECTED}")
endif()
if(NOT stderr MATCHES "${EXPECTED}")
  message(FATAL_ERROR "protoc failed (${rc}) but its message does not match\n"
                      "  expected: ${EXPECTED}\n  got: ${stderr}")
endif()
message(STATUS "protoc failed as expected: ${stderr}")
