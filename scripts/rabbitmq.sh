#!/usr/bin/env bash
# A throw-away RabbitMQ for the AMQP tests: runs as the current user, listens on
# loopback only, keeps everything (data, logs, cookie, config) under BASE, uses
# its own epmd port, and is gone after `stop`.
#
#   scripts/rabbitmq.sh start BASE [PORT [TLS_PORT CERT KEY]]
#                                           # PORT: AMQP 0-9-1 + 1.0 port (default 5673);
#                                           # TLS_PORT: also AMQP over TLS with CERT/KEY (PEM)
#   scripts/rabbitmq.sh stop BASE
#   scripts/rabbitmq.sh ctl BASE ARGS...    # rabbitmqctl against it (policies, list_queues)
#
# start prints "port=PORT"; BASE/env holds the settings for ctl and stop.
set -euo pipefail

cmd=${1:?usage: rabbitmq.sh start|stop|ctl BASE [PORT]}
BASE=$(realpath -m "${2:?BASE folder}")
BIN=/usr/lib/rabbitmq/bin  # the unwrapped scripts: /usr/sbin's switch to the rabbitmq user

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

load_env() {
  # shellcheck disable=SC1091
  source "$BASE/env"
}

start() {
  local port=${1:-5673} tls_port=${2:-} cert=${3:-} key=${4:-}
  rm -rf "$BASE"
  mkdir -p "$BASE/mnesia" "$BASE/log" "$BASE/home"
  # Unique node name, and free ports for Erlang distribution and epmd, so parallel
  # runs (and a system RabbitMQ) never meet.
  cat > "$BASE/env" <<ENV
export HOME="$BASE/home"
export RABBITMQ_NODENAME="leadhub-test-$port-$$@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$(free_port)
export ERL_EPMD_PORT=$(free_port)
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$BASE/mnesia"
export RABBITMQ_LOG_BASE="$BASE/log"
export RABBITMQ_PID_FILE="$BASE/rabbitmq.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf"
export RABBITMQ_ADVANCED_CONFIG_FILE="$BASE/advanced.config"
export RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf"
export RABBITMQ_PLUGINS_EXPAND_DIR="$BASE/plugins-expand"
ENV
  load_env
  echo "[rabbitmq_amqp1_0]." > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  : > "$RABBITMQ_CONF_ENV_FILE"
  echo "[]." > "$RABBITMQ_ADVANCED_CONFIG_FILE"
  # AMQP 1.0 shares the AMQP port. ANONYMOUS logins act as guest (loopback only).
  cat > "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = 127.0.0.1:$port
amqp1_0.default_user = guest
amqp1_0.default_vhost = /
amqp1_0.protocol_strict_mode = false
log.file.level = warning
CONF
  if [ -n "$tls_port" ]; then
    # Clients need no certificate; the hub's side is what the tests check.
    cat >> "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.ssl.default = 127.0.0.1:$tls_port
ssl_options.certfile = $(realpath "$cert")
ssl_options.keyfile = $(realpath "$key")
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF
  fi
  epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1 -daemon
  "$BIN/rabbitmq-server" > "$BASE/log/console.log" 2>&1 &
  echo $! > "$BASE/server.pid"
  # await_startup fails at once while the node is not yet known to epmd: retry.
  local started=0
  for _ in $(seq 120); do
    if "$BIN/rabbitmqctl" -q await_startup --timeout 10 > /dev/null 2>&1; then started=1; break; fi
    kill -0 "$(cat "$BASE/server.pid")" 2> /dev/null || break
    sleep 1
  done
  if [ $started -ne 1 ]; then
    echo "rabbitmq.sh: RabbitMQ did not start; $BASE/log/console.log says:" >&2
    tail -30 "$BASE/log/console.log" >&2
    stop
    exit 1
  fi
  echo "port=$port"
}

stop() {
  [ -f "$BASE/env" ] || return 0
  load_env
  "$BIN/rabbitmqctl" -q stop > /dev/null 2>&1 || true
  if [ -f "$BASE/server.pid" ]; then
    local pid
    pid=$(cat "$BASE/server.pid")
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    kill "$pid" 2> /dev/null || true
    rm -f "$BASE/server.pid"
  fi
  epmd -port "$ERL_EPMD_PORT" -kill > /dev/null 2>&1 || true
}

case $cmd in
  start) start "${3:-5673}" "${4:-}" "${5:-}" "${6:-}" ;;
  stop) stop ;;
  ctl) load_env; shift 2; "$BIN/rabbitmqctl" "$@" ;;
  *) echo "usage: rabbitmq.sh start|stop|ctl BASE [PORT]" >&2; exit 2 ;;
esac
