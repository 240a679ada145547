// Stop signals for long-running commands: SIGINT / SIGTERM end them, and a command's own
// threads can end the wait too (e.g. `consume --count N`).
#ifndef BROKRPC_CLI_SIGNALS_H_
#define BROKRPC_CLI_SIGNALS_H_

namespace brokrpc::cli {

// Blocks SIGINT, SIGTERM and SIGUSR1 in the calling thread; call it before any thread starts,
// so that every thread inherits the mask and only WaitForStop() receives them.
void BlockStopSignals();
// Waits until one of them arrives; returns its number.
int WaitForStop();
// Ends WaitForStop() from any thread (raises SIGUSR1 for the process).
void RequestStop();

}  // namespace brokrpc::cli

#endif  // BROKRPC_CLI_SIGNALS_H_
