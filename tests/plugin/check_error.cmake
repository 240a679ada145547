# Runs protoc + the plugin on PROTO and expects a failure whose output matches EXPECTED.
file(MAKE_DIRECTORY "${OUT_DIR}")
set(out "${OUT_DIR}")
if(PARAMS)
  set(out "${PARAMS}:${OUT_DIR}")
endif()
execute_process(
  COMMAND "${PROTOC}" -I "${PROTO_ROOT}" -I "${BROKRPC_PROTO_DIR}"
          "--plugin=protoc-gen-brokrpc-cpp=${PLUGIN}" "--brokrpc-cpp_out=${out}" "${PROTO}"
  WORKING_DIRECTORY "${PROTO_ROOT}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(rc EQUAL 0)
  message(FATAL_ERROR "protoc succeeded on ${PROTO}; expected an error matching: ${EXPECTED}")
endif()
if(NOT stderr MATCHES "${EXPECTED}")
  message(FATAL_ERROR "protoc failed (${rc}) but its message does not match\n"
                      "  expected: ${EXPECTED}\n  got: ${stderr}")
endif()
message(STATUS "protoc failed as expected: ${stderr}")
