# shellcheck shell=bash
# Sourced by scripts/test and scripts/sanitize: tests that start their own broker nodes (TLS,
# restarts) must stop them. Take a snapshot before the tests, check after.

# Remembers the private-node processes that run now.
leftover_nodes_snapshot() {
  NODES_BEFORE=" $(./scripts/rabbitmq nodes | tr '\n' ' ')"
}

# Fails (and names them) if private-node processes appeared since the snapshot.
leftover_nodes_check() {
  local pid left=()
  for pid in $(./scripts/rabbitmq nodes); do
    [[ $NODES_BEFORE == *" $pid "* ]] || left+=("$pid")
  done
  ((${#left[@]} == 0)) && return 0
  echo "FAILED: broker processes left behind by the tests:" >&2
  ps -o pid=,args= -p "$(IFS=,; echo "${left[*]}")" | cut -c1-160 >&2 || true
  return 1
}
