#!/usr/bin/env bash
# The foundation benchmark: builds Release in build/bench, generates the data under
# build/bench-data, runs every measure and prints the table. See bench/README.md.
#
#   bash bench/run.sh
#
# Environment (all optional):
#   BENCH_SMALL=100000   leads in the first CLI import (and the raw LMDB run)
#   BENCH_LARGE=1000000  leads in the large CLI import (the store the queries run on)
#   BENCH_SEED=1         generator seed (the large file uses SEED+1)
#   BENCH_SKIP_BUILD=1   use the binaries already in build/bench
#   BENCH_IMPORT_OPTS    extra options for `leadhub import` (e.g. "--batch 10000"); with
#                        LEADHUB_CONFIG=FILE (store.max_batch, store.map_size_mb) for what-ifs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/bench
DATA=$ROOT/build/bench-data
SMALL=${BENCH_SMALL:-100000}
LARGE=${BENCH_LARGE:-1000000}
SEED=${BENCH_SEED:-1}
LEADHUB=$BUILD/app/leadhub
GEN=$BUILD/bench/bench_gen
RAW=$BUILD/bench/bench_raw_lmdb
STORE=$BUILD/bench/bench_store

say() { printf '\n== %s\n' "$*"; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

started=$(date +%s)
load_before=$(cut -d" " -f1-3 /proc/loadavg)

# ---- build -------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  say "build (Release, $BUILD)"
  mkdir -p "$BUILD"
  if ! { cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF &&
         cmake --build "$BUILD" -j2 --target leadhub bench_gen bench_raw_lmdb bench_store bench_import_profile bench_mapping bench_page_faults; } >"$BUILD.log" 2>&1; then
    grep -E -A3 "FAILED|error" "$BUILD.log" | head -n 30
    die "build failed (full log: $BUILD.log; BENCH_SKIP_BUILD=1 runs the binaries already built)"
  fi
  echo "ok (log: $BUILD.log)"
fi
for b in "$LEADHUB" "$GEN" "$RAW" "$STORE"; do [[ -x $b ]] || die "missing $b"; done

# ---- data --------------------------------------------------------------------------
mkdir -p "$DATA"
SMALL_FILE=$DATA/leads-$SMALL-s$SEED.ndjson
LARGE_FILE=$DATA/leads-$LARGE-s$((SEED + 1)).ndjson
say "data ($DATA)"
"$GEN" --count "$SMALL" --seed "$SEED" --out "$SMALL_FILE"
"$GEN" --count "$LARGE" --seed $((SEED + 1)) --out "$LARGE_FILE"
sync  # the generated files are on disk before anything is timed

declare -A R  # results by key

# run NAME CMD...: runs a bench program, shows its output, and keeps its RESULT lines
# in R (not in a pipeline: R must be set in this shell).
run() {
  local name=$1 line k v
  shift
  "$@" >"$DATA/$name.out" || { cat "$DATA/$name.out"; die "$name failed"; }
  while IFS= read -r line; do
    if [[ $line == RESULT\ * ]]; then
      read -r _ k v <<<"$line"
      R[$k]=$v
    else
      printf '%s\n' "$line"
    fi
  done <"$DATA/$name.out"
}

# ---- 0. the host ------------------------------------------------------------------
# What a first touch of a page costs here: on a VM it can be tens of times a
# bare-metal fault, and every figure that maps fresh memory moves with it.
say "0. host: cost of touching a new 4 KB page (bench_page_faults)"
run pagefaults bash -c "cd '$DATA' && '$BUILD/bench/bench_page_faults'"

# ---- 1. raw LMDB -------------------------------------------------------------------
say "1. raw LMDB: $SMALL records, 8-byte big-endian keys, 1,000 per commit, durable (best of 3)"
# raw_best KEY FILE: bench_raw_lmdb on FILE three times into a fresh environment;
# the best records/s goes to R[KEY] (the tool reports it as raw_lmdb_rps).
raw_best() {
  local key=$1 file=$2 best=0 i
  for i in 1 2 3; do
    rm -rf "$DATA/raw-lmdb"
    run "raw-$key" "$RAW" --input "$file" --dir "$DATA/raw-lmdb" --batch 1000
    ((R[raw_lmdb_rps] > best)) && best=${R[raw_lmdb_rps]}
  done
  rm -rf "$DATA/raw-lmdb"
  R[$key]=$best
}
raw_best raw_input_rps "$SMALL_FILE"
R[raw_lmdb_rps]=${R[raw_input_rps]}

# ---- CLI import, timed from process start to exit, with memory sampling -------------
# run_import NAME FILE: runs `leadhub --data DIR import FILE` on a fresh DIR. Wall time
# comes from a subshell stamping start and end around the process; /proc/PID/status
# is polled every 50 ms for VmRSS, RssAnon and RssFile peaks; /usr/bin/time, when
# present, adds the kernel's exact peak RSS (ru_maxrss).
run_import() {
  local name=$1 file=$2 dir=$DATA/store-$1 out=$DATA/$1
  rm -rf "$dir" "$out".*
  local timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M' -o "$out.maxrss")
  (
    s=$(date +%s%N)
    "${timer[@]}" "$LEADHUB" --data "$dir" import ${BENCH_IMPORT_OPTS:-} "$file" >"$out.summary" 2>"$out.err" &
    echo $! >"$out.pid"
    set +e
    wait $!
    rc=$?
    e=$(date +%s%N)
    echo "$rc $s $e" >"$out.done"
  ) &
  local sub=$!
  local pid="" rss=0 anon=0 filer=0 hwm=0 k v _
  while [[ ! -s $out.pid ]]; do sleep 0.005; done
  local wpid
  wpid=$(<"$out.pid")
  while [[ ! -e $out.done ]]; do
    if [[ -z $pid ]]; then
      if [[ ${#timer[@]} -gt 0 ]]; then  # leadhub is /usr/bin/time's child
        pid=$(cat "/proc/$wpid/task/$wpid/children" 2>/dev/null | awk '{print $1}') || true
      else
        pid=$wpid
      fi
    fi
    if [[ -n $pid && -r /proc/$pid/status ]]; then
      while read -r k v _; do
        case $k in
          VmRSS:) ((v > rss)) && rss=$v ;;
          VmHWM:) ((v > hwm)) && hwm=$v ;;
          RssAnon:) ((v > anon)) && anon=$v ;;
          RssFile:) ((v > filer)) && filer=$v ;;
        esac
      done <"/proc/$pid/status" 2>/dev/null || true
    fi
    sleep 0.05
  done
  wait "$sub" || true
  local rc s e
  read -r rc s e <"$out.done"
  cat "$out.summary"
  [[ -s $out.err ]] && head -n 5 "$out.err"
  [[ $rc == 0 ]] || die "import $name exited with $rc"
  local created
  created=$(sed -n 's/.*"created":\([0-9]*\).*/\1/p' "$out.summary")
  [[ $created == "$(wc -l <"$file" | tr -d ' ')" ]] || die "import $name created $created leads, expected every line"
  local exact=""
  [[ -s $out.maxrss ]] && exact=$(tail -n 1 "$out.maxrss")
  local peak=${exact:-$hwm}
  ((rss > peak)) && peak=$rss
  R[${name}_seconds]=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", (e-s)/1e9}')
  R[${name}_rps]=$(awk -v n="$created" -v t="${R[${name}_seconds]}" 'BEGIN{printf "%.0f", n/t}')
  R[${name}_rss_mb]=$(awk -v k="$peak" 'BEGIN{printf "%.1f", k/1024}')
  R[${name}_anon_mb]=$(awk -v k="$anon" 'BEGIN{printf "%.1f", k/1024}')
  R[${name}_file_mb]=$(awk -v k="$filer" 'BEGIN{printf "%.1f", k/1024}')
  R[${name}_store_mb]=$(du -sm "$dir" | awk '{print $1}')
  printf '%s: %s s, %s leads/s, peak RSS %s MB (anon %s MB, file %s MB sampled), store %s MB on disk\n' \
    "$name" "${R[${name}_seconds]}" "${R[${name}_rps]}" "${R[${name}_rss_mb]}" "${R[${name}_anon_mb]}" \
    "${R[${name}_file_mb]}" "${R[${name}_store_mb]}"
}

say "2. CLI import of $SMALL leads, best of 3: leadhub --data DIR import ${BENCH_IMPORT_OPTS:+$BENCH_IMPORT_OPTS }FILE${LEADHUB_CONFIG:+ (LEADHUB_CONFIG=$LEADHUB_CONFIG)}"
# Best of 3, like the raw LMDB figure it is compared with; every run is printed.
small_best="" small_runs=""
for i in 1 2 3; do
  run_import small "$SMALL_FILE"
  small_runs+=" ${R[small_seconds]}"
  if [[ -z $small_best ]] || awk -v a="${R[small_seconds]}" -v b="${small_best%% *}" 'BEGIN{exit !(a < b)}'; then
    small_best="${R[small_seconds]} ${R[small_rps]} ${R[small_rss_mb]}"
  fi
done
read -r R[small_seconds] R[small_rps] R[small_rss_mb] <<<"$small_best"
echo "import $SMALL, best of 3: ${R[small_seconds]} s (runs:$small_runs)"

# The same raw puts, of the records the hub stores for those leads (with id, version,
# timestamps: about a third longer than the input lines): what LMDB alone needs for
# the import's records, before any index, audit entry, parse or validation.
say "2b. raw LMDB: the $SMALL records as the hub stored them (leadhub export of step 2), 1,000 per commit (best of 3)"
STORED_FILE=$DATA/stored-$SMALL.ndjson
"$LEADHUB" --data "$DATA/store-small" export >"$STORED_FILE" || die "export of the $SMALL-lead store failed"
raw_best raw_stored_rps "$STORED_FILE"
R[raw_lmdb_rps]=${R[raw_input_rps]}  # step 1's figure: the one the target is against
R[raw_stored_bytes]=$(awk -v b="$(stat -c %s "$STORED_FILE")" -v n="$SMALL" 'BEGIN{printf "%.0f", b/n - 1}')
rm -f "$STORED_FILE"

say "3. CLI import of $LARGE leads"
run_import large "$LARGE_FILE"

# ---- 4. store operations -----------------------------------------------------------
say "4a. CreateLead, 8 threads, synchronous create_lead through the group-commit writer"
rm -rf "$DATA/store-create"
run create "$STORE" create --input "$SMALL_FILE" --dir "$DATA/store-create" --threads 8 --per-thread 2000
say "4b. ReadLead and FindLeads on the $LARGE-lead store of step 3"
run query "$STORE" query --dir "$DATA/store-large" --reads 200000 --email-queries 20000 --status-queries 2000

say "4d. FindLeads by e-mail while $LARGE leads are imported in process (one find every 10 ms; e-mail entries still staged)"
rm -rf "$DATA/store-importing"
run importing "$STORE" find-during-import --input "$LARGE_FILE" --dir "$DATA/store-importing" --pause-us 10000
rm -rf "$DATA/store-importing"

# ---- 5. mapping (issue 3) ------------------------------------------------------------
say "5a. mapping alone, one core: canonical JSON, lettershop CSV (shipped mapping), XML"
run mapping "$BUILD/bench/bench_mapping" "$ROOT" "$DATA" "$SMALL"
say "5b. CLI import of a $SMALL-row lettershop CSV through config/mappings/lettershop-csv.yaml"
rm -rf "$DATA/store-lettershop"
s=$(date +%s%N)
"$LEADHUB" --data "$DATA/store-lettershop" import --mapping "$ROOT/config/mappings/lettershop-csv.yaml" \
  "$DATA/lettershop-$SMALL.csv" | cut -c1-200
e=$(date +%s%N)
R[lettershop_seconds]=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", (e-s)/1e9}')
echo "lettershop import: ${R[lettershop_seconds]} s"

# ---- 6. processing (issue 6) -----------------------------------------------------------
say "6. CLI import of $SMALL leads with processing on (config/processing.yaml: every lead duplicate-checked, classified, scored, assigned)"
printf 'processing: %s/config/processing.yaml\n' "$ROOT" >"$DATA/processing-config.yaml"
rm -rf "$DATA/store-processing"
s=$(date +%s%N)
"$LEADHUB" --config "$DATA/processing-config.yaml" --data "$DATA/store-processing" import "$SMALL_FILE" | cut -c1-200
e=$(date +%s%N)
R[processing_seconds]=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", (e-s)/1e9}')
R[processing_rps]=$(awk -v n="$SMALL" -v t="${R[processing_seconds]}" 'BEGIN{printf "%.0f", n/t}')
echo "import with processing: ${R[processing_seconds]} s, ${R[processing_rps]} leads/s"

# ---- table -------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", 100*a/b}'; }
met() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN{ok = (op=="<=") ? a<=b : (op==">=") ? a>=b : (op=="<") ? a<b : a>b; print ok ? "yes" : "NO"}'; }

small_pct=$(pct "${R[small_rps]}" "${R[raw_lmdb_rps]}")
large_x=$(ratio "${R[large_seconds]}" "${R[small_seconds]}")

rows=()
row() { rows+=("$1|$2|$3|$4"); }
row "host: first touch of a 4 KB page, anon / THP / file (us)" "${R[page_fault_anon_us]} / ${R[page_fault_thp_us]} / ${R[page_fault_file_us]}" "(reference)" "-"
row "raw LMDB put, 1,000/commit (records/s, best of 3)" "${R[raw_lmdb_rps]}" "(reference)" "-"
row "import $SMALL: seconds (best of 3)" "${R[small_seconds]}" "<= 1.5" "$(met "${R[small_seconds]}" "<=" 1.5)"
row "import $SMALL: leads/s" "${R[small_rps]}" "-" "-"
row "import $SMALL: % of raw LMDB rate" "$small_pct %" ">= 40 %" "$(met "$small_pct" ">=" 40)"
row "raw LMDB put of the stored records (${R[raw_stored_bytes]} B), 1,000/commit (records/s)" "${R[raw_stored_rps]}" "(reference)" "-"
row "import $SMALL: % of raw rate for the stored records" "$(pct "${R[small_rps]}" "${R[raw_stored_rps]}") %" "-" "-"
row "import $LARGE: seconds" "${R[large_seconds]}" "-" "-"
row "import $LARGE: leads/s" "${R[large_rps]}" "-" "-"
row "import $LARGE: time / import $SMALL time" "${large_x} x" "<= 11 x" "$(met "$large_x" "<=" 11)"
row "import $LARGE: peak RSS total (MB)" "${R[large_rss_mb]}" "< 200" "$(met "${R[large_rss_mb]}" "<" 200)"
row "import $LARGE: peak RssAnon (MB)" "${R[large_anon_mb]}" "< 200" "$(met "${R[large_anon_mb]}" "<" 200)"
row "import $LARGE: peak RssFile, sampled (MB)" "${R[large_file_mb]}" "-" "-"
row "CreateLead 8 threads: leads/s" "${R[create_ops]}" "-" "-"
row "CreateLead 8 threads: p50 / p99 (us)" "${R[create_p50_us]} / ${R[create_p99_us]}" "-" "-"
row "ReadLead 1 thread: reads/s" "${R[read_ops]}" "-" "-"
row "ReadLead: p50 / p99 (us)" "${R[read_p50_us]} / ${R[read_p99_us]}" "p99 < 20" "$(met "${R[read_p99_us]}" "<" 20)"
row "FindLeads email, limit 10: p50 / p99 (us)" "${R[find_email_p50_us]} / ${R[find_email_p99_us]}" "p99 < 200" "$(met "${R[find_email_p99_us]}" "<" 200)"
row "FindLeads status, limit 100: p50 / p99 (us)" "${R[find_status_p50_us]} / ${R[find_status_p99_us]}" "-" "-"
row "FindLeads email during the $LARGE import: p50 / p99 (us)" "${R[find_email_importing_p50_us]} / ${R[find_email_importing_p99_us]}" "-" "-"
row "mapping: canonical JSON leads/s (1 core)" "${R[map_json_rps]}" ">= 300000" "$(met "${R[map_json_rps]}" ">=" 300000)"
row "mapping: lettershop CSV rows/s (1 core)" "${R[map_csv_rps]}" ">= 150000" "$(met "${R[map_csv_rps]}" ">=" 150000)"
row "mapping: XML lead records/s (1 core)" "${R[map_xml_rps]}" ">= 100000" "$(met "${R[map_xml_rps]}" ">=" 100000)"
row "import --mapping lettershop CSV $SMALL rows: s" "${R[lettershop_seconds]}" "<= 2" "$(met "${R[lettershop_seconds]}" "<=" 2)"
row "import $SMALL with processing: leads/s" "${R[processing_rps]}" "-" "-"

say "results"
echo "nproc: $(nproc)"
echo "cpu:   $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date:  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "load:  $load_before before the run, $(cut -d" " -f1-3 /proc/loadavg) after (1/5/15 min; other work on the machine lowers the figures)"
echo "input: $(awk -v b="$(stat -c %s "$SMALL_FILE")" -v n="$SMALL" 'BEGIN{printf "%.0f", b/n}') bytes/lead (NDJSON); run took $(($(date +%s) - started)) s"
echo
{
  echo "measure|figure|target|met?"
  echo "---|---|---|---"
  printf '%s\n' "${rows[@]}"
} | awk -F'|' '
  { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } rows = NR }
  END {
    for (r = 1; r <= rows; r++) {
      line = "| "
      for (i = 1; i <= 4; i++) {
        c = cell[r, i]
        if (c == "---") { c = ""; while (length(c) < w[i]) c = c "-" }
        line = line sprintf("%-" w[i] "s", c) (i < 4 ? " | " : " |")
      }
      print line
    }
  }'
