#!/usr/bin/env bash
# The AMQP benchmark (issue 5: AMQP 1.0 connectors). Builds Release into
# build/bench, starts its own RabbitMQ (scripts/rabbitmq.sh, loopback, data under
# build/bench-data/amqp, stopped afterwards) and one hub with a listener and a
# broker connector, then with bench_amqp_load (Proton C++, N requests in flight
# per connection, latency per request):
#   1. the reference: a plain Proton echo responder (bench_amqp_echo) on a broker queue
#   2. the hub: CreateLead request/reply through the same broker, as % of 1
#   3. the hub: CreateLead straight to its listener from 4 connections (accepted
#      after the commit), creates/s and reply latency p50/p99
# and prints a table with the targets.
#
#   bash bench/amqp.sh     (BENCH_AMQP_SECONDS=10, BENCH_AMQP_CONNECTIONS=4, BENCH_AMQP_INFLIGHT=64,
#                           BENCH_SKIP_BUILD=1)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/bench
DATA=$ROOT/build/bench-data/amqp
SECONDS_EACH=${BENCH_AMQP_SECONDS:-10}
CONNS=${BENCH_AMQP_CONNECTIONS:-4}
INFLIGHT=${BENCH_AMQP_INFLIGHT:-64}
BROKER_PORT=18672
HUB_PORT=18673

die() { printf 'bench/amqp.sh: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] ||
  die "RabbitMQ is missing (apt-get install rabbitmq-server, or bash scripts/install-deps.sh --with-bench)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build (Release, $BUILD)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >"$BUILD.amqp.log" 2>&1 &&
    cmake --build "$BUILD" -j2 --target leadhub bench_amqp_echo bench_amqp_load >>"$BUILD.amqp.log" 2>&1 ||
    die "build failed (log: $BUILD.amqp.log)"
fi
rm -rf "$DATA" && mkdir -p "$DATA"
load_before=$(cut -d" " -f1-3 /proc/loadavg)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash "$ROOT/scripts/rabbitmq.sh" stop "$DATA/rabbitmq" || true
}
trap cleanup EXIT

echo "== RabbitMQ on 127.0.0.1:$BROKER_PORT (its own node and data under $DATA/rabbitmq)"
bash "$ROOT/scripts/rabbitmq.sh" start "$DATA/rabbitmq" $BROKER_PORT >/dev/null || die "RabbitMQ did not start"
BROKER=amqp://127.0.0.1:$BROKER_PORT

# wait_log FILE TEXT: until the hub's log has TEXT
wait_log() {
  for _ in $(seq 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  die "no '$2' in $1"
}

# load NAME URL ADDRESS REPLY: bench_amqp_load's key=value line kept in $DATA/NAME.load
load() {
  "$BUILD/bench/bench_amqp_load" "$2" "$3" --connections "$CONNS" --inflight "$INFLIGHT" \
    --seconds "$SECONDS_EACH" --warmup 2 --reply "$4" >"$DATA/$1.load" 2>"$DATA/$1.err" ||
    die "$1: the load client failed: $(cat "$DATA/$1.err" "$DATA/$1.load")"
}

# figure NAME -> "rate p50_ms p99_ms not_ok rejected unanswered"
figure() {
  local line
  line=$(cat "$DATA/$1.load")
  for key in rate p50_ms p99_ms not_ok rejected unanswered; do
    sed -n "s/.*\b$key=\([^ ]*\).*/\1/p" <<<"$line" | tr '\n' ' '
  done
}

echo "== the hub: a listener on 127.0.0.1:$HUB_PORT and a broker connector on /queue/bench.leads"
cat >"$DATA/leadhub.yaml" <<EOF
connectors:
  - name: direct
    type: amqp
    listen: 127.0.0.1:$HUB_PORT
    addresses: [{address: leads}]
  - name: rabbit
    type: amqp
    mode: broker
    url: $BROKER
    addresses: [{address: /queue/bench.leads}]
EOF
"$BUILD/app/leadhub" --config "$DATA/leadhub.yaml" --data "$DATA/store" serve 2>"$DATA/hub.log" & hub=$!
pids+=($hub)
wait_log "$DATA/hub.log" "info leadhub: ready"
wait_log "$DATA/hub.log" "info rabbit: connected to"

echo "== 1. reference: plain Proton echo through RabbitMQ ($CONNS connections x $INFLIGHT in flight)"
"$BUILD/bench/bench_amqp_echo" "$BROKER" /queue/bench.echo 300 2>"$DATA/echo.err" & pids+=($!)
load echo "$BROKER" /queue/bench.echo /queue/bench.echo-replies
read -r e_rate e_p50 e_p99 e_bad _ e_open <<<"$(figure echo)"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "== 2. the hub: CreateLead request/reply through RabbitMQ"
load broker "$BROKER" /queue/bench.leads /queue/bench.hub-replies
read -r b_rate b_p50 b_p99 b_bad _ b_open <<<"$(figure broker)"

echo "== 3. the hub: CreateLead to its listener ($CONNS connections x $INFLIGHT in flight, dynamic reply addresses)"
load direct "amqp://127.0.0.1:$HUB_PORT" leads dynamic
read -r d_rate d_p50 d_p99 d_bad d_rejected d_open <<<"$(figure direct)"

kill -TERM $hub
wait $hub && stop=0 || stop=$?
stored=$("$BUILD/app/leadhub" --data "$DATA/store" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["leads"])')

ratio() { python3 -c "print(f'{100.0 * $1 / $2:.0f}' if $2 > 0 else 'nan')"; }
met() { python3 -c "print('yes' if $1 else 'NO')"; }
b_pct=$(ratio "$b_rate" "$e_rate")
cat <<EOF

nproc:  $(nproc)
cpu:    $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
date:   $(date -u '+%Y-%m-%d %H:%M:%S UTC')
load:   $load_before before, $(cut -d" " -f1-3 /proc/loadavg) after (broker, hub and client share the machine's cores)
client: bench_amqp_load, $CONNS connections x $INFLIGHT requests in flight, ${SECONDS_EACH}s per measure after 2s warm-up
broker: RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'), durable queues and messages

| measure                                          | figure              | target           | met? |
| ------------------------------------------------ | ------------------- | ---------------- | ---- |
| reference: Proton echo via RabbitMQ: replies/s   | $e_rate | -                | -    |
| reference: p50 / p99 (ms)                        | $e_p50 / $e_p99 | -                | -    |
| hub via RabbitMQ: CreateLead replies/s           | $b_rate | -                | -    |
| hub via RabbitMQ: p50 / p99 (ms)                 | $b_p50 / $b_p99 | -                | -    |
| hub via RabbitMQ as % of the echo                | $b_pct % | >= 80 %          | $(met "'$b_pct' != 'nan' and $b_pct >= 80") |
| hub direct: CreateLead/s, accept after commit    | $d_rate | >= 30000         | $(met "$d_rate >= 30000") |
| hub direct: reply p50 / p99 (ms)                 | $d_p50 / $d_p99 | p99 < 20         | $(met "$d_p99 < 20") |
| replies not ok (echo / broker / direct)          | $e_bad / $b_bad / $d_bad | 0                | $(met "$e_bad + $b_bad + $d_bad == 0") |
| direct: requests rejected                        | $d_rejected | 0                | $(met "$d_rejected == 0") |
| unanswered at the end (echo / broker / direct)   | $e_open / $b_open / $d_open | 0                | $(met "$e_open + $b_open + $d_open == 0") |
| leads stored (broker + direct, with warm-up)     | $stored | -                | -    |
| hub: clean stop (exit code)                      | $stop | 0                | $(met "$stop == 0") |
EOF
