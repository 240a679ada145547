# shellcheck shell=bash
# `scripts/rabbitmq cluster ...`: three private RabbitMQ nodes on 127.0.0.1 that form one
# cluster at boot (classic_config peer discovery). Sourced by scripts/rabbitmq, whose node
# functions (node_env, write_config, launch_node, kill_node, pick_ports) it uses per node.
#
# State lives in $BROKRPC_RABBIT_CLUSTER_DIR, by default "<the single node's state dir>-cluster":
#   cluster.env      CLUSTER_ID and PORT_BASE
#   home/            the one Erlang cookie, written before any node boots
#   n1/ n2/ n3/      each node's config, data, logs and pid file
# One port block of 16: base+0..2 AMQP of n1..n3, base+3..5 their Erlang distribution,
# base+6 the cluster's own epmd, base+7..15 rabbitmqctl's distribution ports.
# Every process carries BROKRPC_RABBIT_OWNER=<node name> (epmd: the first node's), so
# `scripts/rabbitmq nodes` and the leftover check of scripts/test see cluster nodes too.

readonly CLUSTER_SIZE=3
CLUSTER_DIR=${BROKRPC_RABBIT_CLUSTER_DIR:-$STATE_DIR-cluster}
[[ $CLUSTER_DIR == /* ]] || CLUSTER_DIR="$PWD/$CLUSTER_DIR"
[[ $CLUSTER_DIR != *[[:space:]]* ]] || die "cluster dir must not contain blanks: '$CLUSTER_DIR'"
readonly CLUSTER_DIR
CLUSTER_ID=''

cluster_node_name() { echo "brokrpc-${CLUSTER_ID}-n$1@localhost"; }

# Sets NODE, NODE_DIR and the node environment of node $1 (1..3).
cluster_select() {
  local i=$1
  [[ $i =~ ^[1-3]$ ]] || die "node must be 1, 2 or 3, not '$i'"
  NODE=$(cluster_node_name "$i")
  NODE_DIR=$CLUSTER_DIR/n$i
  node_env $((PORT_BASE + i - 1)) $((PORT_BASE + 2 + i)) $((PORT_BASE + 6)) \
    $((PORT_BASE + 7)) $((PORT_BASE + 15))
  # One cookie for all: the shared home holds it. (NODE_CMD is used by scripts/rabbitmq.)
  NODE_ENV[0]="HOME=$CLUSTER_DIR/home"
  # shellcheck disable=SC2034
  NODE_CMD=(env -u NOTIFY_SOCKET -u RABBITMQ_ENV_LOADED -u RABBITMQ_SCRIPTS_DIR
    -u RABBITMQ_ENABLED_PLUGINS "${NODE_ENV[@]}" "BROKRPC_RABBIT_OWNER=$NODE")
}

cluster_load() {
  [[ -f $CLUSTER_DIR/$MARK_FILE && -f $CLUSTER_DIR/cluster.env ]] || return 1
  CLUSTER_ID=$(sed -n 's/^CLUSTER_ID=//p' "$CLUSTER_DIR/cluster.env")
  PORT_BASE=$(sed -n 's/^PORT_BASE=//p' "$CLUSTER_DIR/cluster.env")
  [[ $CLUSTER_ID =~ ^c[0-9a-f]{8}$ && $PORT_BASE =~ ^[0-9]+$ ]] ||
    die "corrupt $CLUSTER_DIR/cluster.env; run '$0 cluster stop'"
}

cluster_lock() {
  mkdir -p "$(dirname "$CLUSTER_DIR")"
  exec {lock_fd}>"$CLUSTER_DIR.lock"
  flock -w 300 "$lock_fd" || die "cannot lock $CLUSTER_DIR.lock"
}

# The pids of every process of this cluster (any node, epmd, rabbitmqctl).
cluster_pids() {
  local p prefix="BROKRPC_RABBIT_OWNER=brokrpc-${CLUSTER_ID}-"
  for p in /proc/[0-9]*; do
    if [[ ${p#/proc/} != "$$" ]] && tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -q "^$prefix"; then
      echo "${p#/proc/}"
    fi
  done
  return 0
}

# Writes node $1's config: the common one plus peer discovery of the three nodes.
cluster_write_config() {
  local i
  write_config
  {
    echo '# Cluster formation at boot (scripts/lib/rabbitmq_cluster.sh).'
    echo 'cluster_formation.peer_discovery_backend = classic_config'
    for ((i = 1; i <= CLUSTER_SIZE; i++)); do
      echo "cluster_formation.classic_config.nodes.$i = $(cluster_node_name "$i")"
    done
    # n1 boots first and alone; n2 and n3 then join it: no need for a long random delay.
    echo 'cluster_formation.randomized_startup_delay_range.min = 0'
    echo 'cluster_formation.randomized_startup_delay_range.max = 1'
    echo 'vm_memory_high_watermark.absolute = 512MB'
    # A hung node (kill -STOP, a network partition) is declared down after ~net_ticktime
    # (default 60 s; until then it blocks queue and binding declarations cluster-wide); when
    # it comes back, autoheal restarts the losing side instead of leaving a split cluster.
    echo 'net_ticktime = 10'
    echo 'cluster_partition_handling = autoheal'
  } >>"$NODE_DIR/rabbitmq.conf"
}

# Launches node $1 (its config exists) and waits until AMQP answers.
cluster_launch() {
  cluster_select "$1"
  log "starting $NODE on 127.0.0.1:$AMQP_PORT"
  launch_node
}

# True once node $1 reports all three nodes running.
cluster_formed() {
  local out
  cluster_select "$1"
  out=$(in_node_env "$RABBIT_BIN/rabbitmqctl" -q cluster_status --formatter json 2>/dev/null) ||
    return 1
  python3 -c 'import json,sys; sys.exit(0 if len(json.load(sys.stdin)["running_nodes"]) == int(sys.argv[1]) else 1)' \
    "$CLUSTER_SIZE" <<<"$out"
}

cluster_urls() {
  local i
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    echo "amqp://guest:guest@127.0.0.1:$((PORT_BASE + i - 1))/"
  done
}

cluster_url() {
  echo "amqp://guest:guest@127.0.0.1:$PORT_BASE,127.0.0.1:$((PORT_BASE + 1)),127.0.0.1:$((PORT_BASE + 2))/"
}

cluster_kill_all() {
  local pids i
  for ((i = 0; i < 100; i++)); do
    pids=$(cluster_pids)
    [[ -z $pids ]] && return 0
    # shellcheck disable=SC2086 # one pid per word
    if ((i == 0)); then kill -TERM $pids 2>/dev/null || true; fi
    # shellcheck disable=SC2086
    if ((i == 60)); then kill -KILL $pids 2>/dev/null || true; fi
    sleep 0.1
  done
  pids=$(cluster_pids)
  [[ -z $pids ]] || die "processes of cluster $CLUSTER_ID survive: ${pids//$'\n'/ }"
}

cluster_stop() {
  cluster_lock
  if cluster_load; then
    log "stopping cluster $CLUSTER_ID"
    cluster_kill_all
  fi
  cluster_remove_dir
  rm -f "$CLUSTER_DIR.lock"
}

# Removes the cluster dir, but only one this script made (or an empty one).
cluster_remove_dir() {
  if [[ -f $CLUSTER_DIR/$MARK_FILE ]]; then
    rm -rf "$CLUSTER_DIR"
  elif [[ -d $CLUSTER_DIR ]]; then
    rmdir "$CLUSTER_DIR" 2>/dev/null || die "$CLUSTER_DIR is not a brokrpc cluster dir; not touching it"
  fi
}

cluster_start() {
  local i t0=$SECONDS pids=() rc=0 attempt
  cluster_lock
  if cluster_load; then
    if cluster_formed 1 2>/dev/null; then
      cluster_url
      return 0
    fi
    log "removing a stale cluster in $CLUSTER_DIR"
    cluster_kill_all
  fi
  cluster_remove_dir
  for attempt in 1 2 3; do
    mkdir -p "$CLUSTER_DIR/home"
    chmod 700 "$CLUSTER_DIR" "$CLUSTER_DIR/home"
    : >"$CLUSTER_DIR/$MARK_FILE"
    CLUSTER_ID="c$(printf '%04x%04x' "$RANDOM" "$RANDOM")"
    pick_ports
    printf 'CLUSTER_ID=%s\nPORT_BASE=%s\n' "$CLUSTER_ID" "$PORT_BASE" >"$CLUSTER_DIR/cluster.env"
    # The cookie before any node boots (otherwise they race and make different ones).
    (umask 077 && head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$CLUSTER_DIR/home/.erlang.cookie")
    chmod 400 "$CLUSTER_DIR/home/.erlang.cookie"
    for ((i = 1; i <= CLUSTER_SIZE; i++)); do
      cluster_select "$i"
      cluster_write_config
    done
    log "starting cluster $CLUSTER_ID (ports $PORT_BASE..$((PORT_BASE + 15))) in $CLUSTER_DIR"
    # n1 first, alone; then n2 and n3 together, which find n1 and join it.
    rc=0
    cluster_launch 1 || rc=$?
    if ((rc == 0)); then
      pids=()
      for ((i = 2; i <= CLUSTER_SIZE; i++)); do
        cluster_launch "$i" &
        pids+=($!)
      done
      for i in "${pids[@]}"; do wait "$i" || rc=1; done
    fi
    if ((rc == 0)); then
      for ((i = 0; i < 300; i++)); do
        cluster_formed 1 && break
        sleep 0.2
      done
      if cluster_formed 1; then
        log "cluster formed in $((SECONDS - t0))s"
        cluster_url
        return 0
      fi
      log "the nodes run but did not form one cluster"
      rc=1
    fi
    cluster_kill_all
    cluster_remove_dir
    ((rc == 2 && attempt < 3)) || break
    log "retrying with other ports"
  done
  rm -f "$CLUSTER_DIR.lock"
  die "the RabbitMQ cluster did not start"
}

# For the commands on a running cluster: its state, under the lock (launch_node needs lock_fd).
cluster_require() {
  cluster_lock
  cluster_load || die "no cluster in $CLUSTER_DIR (run '$0 cluster start')"
}

cmd_cluster() {
  local sub=${1:-} pid
  [[ $# -gt 0 ]] && shift
  case $sub in
  start) cluster_start ;;
  stop) cluster_stop ;;
  url)
    cluster_require
    cluster_url
    ;;
  urls)
    cluster_require
    cluster_urls
    ;;
  kill)
    cluster_require
    cluster_select "${1:-}"
    pid=$(node_pid) || die "node $NODE is not running"
    log "kill -9 $NODE (pid $pid)"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    ;;
  freeze | thaw)
    cluster_require
    cluster_select "${1:-}"
    pid=$(node_pid) || die "node $NODE is not running"
    if [[ $sub == freeze ]]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
    ;;
  start-node)
    cluster_require
    cluster_select "${1:-}"
    if ! node_pid >/dev/null; then launch_node || die "node $NODE did not start"; fi
    ;;
  stop-app | start-app)
    cluster_require
    cluster_select "${1:-}"
    in_node_env "$RABBIT_BIN/rabbitmqctl" -q "${sub/-/_}" >&2
    ;;
  pid)
    cluster_require
    cluster_select "${1:-}"
    node_pid
    ;;
  ctl)
    cluster_require
    cluster_select "${1:-}"
    shift
    in_node_env "$RABBIT_BIN/rabbitmqctl" "$@"
    ;;
  *)
    sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
    ;;
  esac
}
