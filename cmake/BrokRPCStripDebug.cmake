# CPack pre-build script: strips debug information from the staged static libraries (as
# Debian's dh_strip does for -dev packages) and the plugin; the symbols stay, so linking works.
file(GLOB_RECURSE _files "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.a"
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/bin/protoc-gen-brokrpc-cpp")
foreach(_f IN LISTS _files)
  execute_process(COMMAND strip --strip-debug "${_f}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "strip --strip-debug ${_f} failed (${_rc})")
  endif()
endforeach()
