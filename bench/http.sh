#!/usr/bin/env bash
# The HTTP benchmark (issue: HTTP connectors). Builds Release into build/bench,
# then with wrk on loopback (32 connections):
#   1. a minimal Beast server that stores nothing (the ceiling): POST and GET
#   2. the hub: web-form POSTs, each mapped and durably stored before the answer
#   3. the hub: GET /api/v1/leads/{id} over the leads stored in 2
# and prints requests/s, p50/p99 latency and the hub/ceiling ratio.
#
#   bash bench/http.sh          (BENCH_HTTP_SECONDS=10, BENCH_HTTP_CONNECTIONS=32, BENCH_SKIP_BUILD=1)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/bench
DATA=$ROOT/build/bench-data/http
SECONDS_EACH=${BENCH_HTTP_SECONDS:-10}
CONNS=${BENCH_HTTP_CONNECTIONS:-32}
CEILING_PORT=18089
HUB_PORT=18090

die() { printf 'bench/http.sh: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk, or bash scripts/install-deps.sh --with-bench)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build (Release, $BUILD)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >"$BUILD.http.log" 2>&1 &&
    cmake --build "$BUILD" -j2 --target leadhub bench_beast_ceiling >>"$BUILD.http.log" 2>&1 ||
    die "build failed (log: $BUILD.http.log)"
fi
rm -rf "$DATA" && mkdir -p "$DATA"
load_before=$(cut -d" " -f1-3 /proc/loadavg)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() {
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  die "nothing listens on port $1"
}

# run_wrk NAME PORT SCRIPT [ARGS]: wrk with latency figures, output kept in $DATA/NAME.wrk
run_wrk() {
  local name=$1 port=$2 script=$3
  shift 3
  wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$ROOT/bench/http/$script" "http://127.0.0.1:$port" \
    ${1:+-- "$@"} >"$DATA/$name.wrk"
}

# figure FILE -> "rps p50_ms p99_ms non2xx"
figure() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {int(bad.group(1)) if bad else 0}", "yes" if errors else "no")
EOF
}

echo "== 1. ceiling: minimal Beast server, 2 threads, stores nothing"
"$BUILD/bench/bench_beast_ceiling" $CEILING_PORT 2 & pids+=($!)
wait_port $CEILING_PORT
echo "x" >"$DATA/ids-ceiling.txt"
run_wrk ceiling-post $CEILING_PORT form_post.lua
run_wrk ceiling-get $CEILING_PORT get_lead.lua "$DATA/ids-ceiling.txt"
read -r c_post c_post50 c_post99 _ _ <<<"$(figure "$DATA/ceiling-post.wrk")"
read -r c_get c_get50 c_get99 _ _ <<<"$(figure "$DATA/ceiling-get.wrk")"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "== 2. the hub: web-form POSTs, mapped by web-form.yaml and committed before each answer"
cat >"$DATA/leadhub.yaml" <<EOF
mappings: $ROOT/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:$HUB_PORT
    forms:
      - {name: bench, rate_limit_per_minute: 0}
EOF
"$BUILD/app/leadhub" --config "$DATA/leadhub.yaml" --data "$DATA/store" serve 2>"$DATA/hub.log" & hub=$!
pids+=($hub)
wait_port $HUB_PORT
run_wrk hub-post $HUB_PORT form_post.lua
read -r h_post h_post50 h_post99 h_post_bad _ <<<"$(figure "$DATA/hub-post.wrk")"
curl -s "http://127.0.0.1:$HUB_PORT/api/v1/leads?campaign=bench&limit=1000" |
  python3 -c 'import json,sys; print("\n".join(x["id"] for x in json.load(sys.stdin)["items"]))' >"$DATA/ids.txt"
[[ -s $DATA/ids.txt ]] || die "no leads stored"

echo "== 3. the hub: GET /api/v1/leads/{id} over $(wc -l <"$DATA/ids.txt") stored leads"
run_wrk hub-get $HUB_PORT get_lead.lua "$DATA/ids.txt"
read -r h_get h_get50 h_get99 h_get_bad _ <<<"$(figure "$DATA/hub-get.wrk")"
kill -TERM $hub
wait $hub && stop=0 || stop=$?
stored=$("$BUILD/app/leadhub" --data "$DATA/store" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["leads"])')
posted=$(grep -Eo '^\s+[0-9]+ requests in' "$DATA/hub-post.wrk" | grep -Eo '[0-9]+' | head -1)

ratio() { python3 -c "print(f'{100.0 * $1 / $2:.0f} %')"; }
met() { python3 -c "print('yes' if $1 else 'NO')"; }
cat <<EOF

nproc: $(nproc)
cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
date:  $(date -u '+%Y-%m-%d %H:%M:%S UTC')
load:  $load_before before, $(cut -d" " -f1-3 /proc/loadavg) after (wrk and the server share the machine's cores)
wrk:   2 threads, $CONNS connections, ${SECONDS_EACH}s per measure, loopback

| measure                                         | figure              | target           | met? |
| ----------------------------------------------- | ------------------- | ---------------- | ---- |
| ceiling (Beast, no storing): POST req/s         | $c_post | -                | -    |
| ceiling: POST p50 / p99 (ms)                    | $c_post50 / $c_post99 | -          | -    |
| ceiling: GET req/s                              | $c_get | -                | -    |
| hub: web-form POST, stored: req/s               | $h_post | >= 15000         | $(met "$h_post >= 15000") |
| hub: web-form POST p50 / p99 (ms)               | $h_post50 / $h_post99 | p99 < 10   | $(met "$h_post99 < 10") |
| hub: POST as % of ceiling                       | $(ratio "$h_post" "$c_post") | -   | -    |
| hub: POST answers not 2xx                       | $h_post_bad | 0          | $(met "$h_post_bad == 0") |
| hub: leads stored / POSTs answered              | $stored / $posted | equal (stopped mid-request: +-$CONNS) | $(met "abs($stored - ${posted:-0}) <= $CONNS") |
| hub: GET /api/v1/leads/{id}: req/s              | $h_get | >= 40000         | $(met "$h_get >= 40000") |
| hub: GET p50 / p99 (ms)                         | $h_get50 / $h_get99 | p99 < 5      | $(met "$h_get99 < 5") |
| hub: GET as % of ceiling                        | $(ratio "$h_get" "$c_get") | -     | -    |
| hub: clean stop (exit code)                     | $stop | 0                | $(met "$stop == 0") |
EOF
