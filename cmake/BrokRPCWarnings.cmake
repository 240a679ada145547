# brokrpc_set_warnings(<target>): the project's warning flags.
function(brokrpc_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(BROKRPC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
