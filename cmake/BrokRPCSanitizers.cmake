# Sanitizer builds: -DBROKRPC_SANITIZE=address (ASan + UBSan) or thread (TSan).
if(BROKRPC_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12's flow analysis under ASan reports std::optional / std::function members as
    # maybe-uninitialized (false positives); the normal build keeps the warning.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
elseif(BROKRPC_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT BROKRPC_SANITIZE STREQUAL "")
  message(FATAL_ERROR "BROKRPC_SANITIZE must be '', 'address' or 'thread', not '${BROKRPC_SANITIZE}'")
endif()
if(NOT BROKRPC_SANITIZE STREQUAL "")
  # Tests that measure memory relax under sanitizers (ASan's quarantine holds freed blocks).
  add_compile_definitions(BROKRPC_SANITIZED=1)
endif()
