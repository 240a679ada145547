# placeholder, replaced below
function(brokrpc_generate)
endfunction()
