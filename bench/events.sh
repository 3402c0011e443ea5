#!/usr/bin/env bash
# The events benchmark (issue 5: events and routing): events delivered per second
# through RabbitMQ. Builds Release into build/bench, starts its own RabbitMQ
# (scripts/rabbitmq.sh, loopback, data under build/bench-data/events, stopped
# afterwards), and routes every lead.created to one durable queue:
#   1. live: the hub runs, 100,000 leads are imported through POST /api/v1/imports;
#      the time from the upload to the last event in the queue
#   2. backlog: the hub is stopped, `leadhub import` stores 100,000 more (their events
#      wait in the outbox); the time from the hub's start to the last event queued
# Each figure is the events in the queue over that time, durable messages, each
# acked in the store only after the broker accepted it.
#
#   bash bench/events.sh     (BENCH_EVENTS_LEADS=100000, BENCH_SKIP_BUILD=1)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/bench
DATA=$ROOT/build/bench-data/events
LEADS=${BENCH_EVENTS_LEADS:-100000}
BROKER_PORT=18674
HTTP_PORT=18675
QUEUE=bench.events

die() { printf 'bench/events.sh: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] ||
  die "RabbitMQ is missing (apt-get install rabbitmq-server, or bash scripts/install-deps.sh --with-bench)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build (Release, $BUILD)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >"$BUILD.events.log" 2>&1 &&
    cmake --build "$BUILD" -j2 --target leadhub bench_gen >>"$BUILD.events.log" 2>&1 ||
    die "build failed (log: $BUILD.events.log)"
fi
rm -rf "$DATA" && mkdir -p "$DATA"
LEADHUB=$BUILD/app/leadhub
hub=
cleanup() {
  [[ -n "$hub" ]] && kill "$hub" 2>/dev/null || true
  bash "$ROOT/scripts/rabbitmq.sh" stop "$DATA/rabbitmq" || true
}
trap cleanup EXIT

echo "== $LEADS leads, twice"
"$BUILD/bench/bench_gen" --count "$LEADS" --seed 1 --out "$DATA/live.ndjson"
"$BUILD/bench/bench_gen" --count "$LEADS" --seed 2 --out "$DATA/backlog.ndjson"

echo "== RabbitMQ on 127.0.0.1:$BROKER_PORT (its own node and data under $DATA/rabbitmq)"
bash "$ROOT/scripts/rabbitmq.sh" start "$DATA/rabbitmq" $BROKER_PORT >/dev/null || die "RabbitMQ did not start"

cat >"$DATA/leadhub.yaml" <<EOF2
connectors:
  - {name: http, type: http, listen: "127.0.0.1:$HTTP_PORT"}
events:
  targets:
    broker: {type: amqp, url: "amqp://127.0.0.1:$BROKER_PORT"}
  routes:
    - {name: created, events: [lead.created], target: broker, address: /queue/$QUEUE}
EOF2

queued() {
  bash "$ROOT/scripts/rabbitmq.sh" ctl "$DATA/rabbitmq" list_queues -q --no-table-headers name messages |
    awk -v q="$QUEUE" '$1 == q {print $2}'
}

# wait_queue N: until the queue holds N messages; prints the seconds since $start
wait_queue() {
  for _ in $(seq 6000); do
    [[ "$(queued)" -ge "$1" ]] 2>/dev/null && break
    sleep 0.1
  done
  [[ "$(queued)" -ge "$1" ]] || die "the queue never held $1 events (it has $(queued)); see $DATA/hub*.log"
  echo "$(date +%s.%N) - $start" | bc
}

serve() {
  "$LEADHUB" --config "$DATA/leadhub.yaml" --data "$DATA/store" serve 2>"$DATA/$1" &
  hub=$!
  for _ in $(seq 300); do grep -q "info events.broker: connected" "$DATA/$1" && return 0; sleep 0.1; done
  die "the hub did not connect (log: $DATA/$1)"
}

load_before=$(cut -d" " -f1-3 /proc/loadavg)
echo "== 1. live: POST /api/v1/imports with $LEADS leads while the hub runs"
serve hub-live.log
start=$(date +%s.%N)
curl -sf -o "$DATA/live.summary" -H 'Content-Type: application/x-ndjson' --data-binary "@$DATA/live.ndjson" \
  "http://127.0.0.1:$HTTP_PORT/api/v1/imports" || die "the import failed"
import_seconds=$(echo "$(date +%s.%N) - $start" | bc)
live_seconds=$(wait_queue "$LEADS")
kill -TERM "$hub" && wait "$hub" || true
hub=

echo "== 2. backlog: $LEADS more imported while the hub is stopped, then the hub starts"
"$LEADHUB" --config "$DATA/leadhub.yaml" --data "$DATA/store" import "$DATA/backlog.ndjson" >/dev/null
outbox=$("$LEADHUB" --config "$DATA/leadhub.yaml" --data "$DATA/store" stats | sed -n 's/.*"outbox":\([0-9]*\).*/\1/p')
start=$(date +%s.%N)
serve hub-backlog.log
backlog_seconds=$(wait_queue $((2 * LEADS)))
kill -TERM "$hub" && wait "$hub" || true
hub=
load_after=$(cut -d" " -f1-3 /proc/loadavg)

rate() { echo "scale=0; $1 / $2" | bc; }
cat <<REPORT

events through RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?') (durable queue and messages, acked after the broker accepted each)
  1. live:    $LEADS leads imported over HTTP in $(printf %.2f "$import_seconds") s; all $LEADS lead.created events queued after $(printf %.2f "$live_seconds") s: $(rate "$LEADS" "$live_seconds") events/s
  2. backlog: $outbox events waiting in the outbox; all queued $(printf %.2f "$backlog_seconds") s after the hub started: $(rate "$LEADS" "$backlog_seconds") events/s
load average before: $load_before, after: $load_after ($(nproc) cores)
REPORT
