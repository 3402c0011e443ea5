#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) into build/fuzz and
# runs each for SECONDS (default 20). Exits non-zero when any target crashes, leaks,
# times out on one input or breaks an invariant; the input is kept as
# build/fuzz/artifacts/<target>-crash-... (copy it into fuzz/corpus/<target>/ as a
# regression case once the bug is fixed).
#
#   scripts/fuzz.sh [SECONDS]          all targets
#   FUZZ_TARGETS="fuzz_csv" scripts/fuzz.sh 60
#   FUZZ_JOBS=2 ...                    ninja parallelism (default 2)
#   FUZZ_NO_BUILD=1 ...                run the binaries already in build/fuzz as they are
set -u -o pipefail

SECONDS_PER_TARGET="${1:-20}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}"
TARGETS="${FUZZ_TARGETS:-fuzz_csv fuzz_xml fuzz_json fuzz_form}"
JOBS="${FUZZ_JOBS:-2}"
CXX_COMPILER="${FUZZ_CXX:-clang++}"

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT/fuzz" -B "$BUILD" "${generator[@]}" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo || { echo "fuzz: configure failed" >&2; exit 2; }
  fi
  # shellcheck disable=SC2086
  cmake --build "$BUILD" --parallel "$JOBS" --target $TARGETS || { echo "fuzz: build failed" >&2; exit 2; }
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
for target in $TARGETS; do
  seeds="$ROOT/fuzz/corpus/$target"
  work="$BUILD/corpus/$target"        # new inputs go here; the checked-in seeds stay untouched
  artifacts="$BUILD/artifacts"
  mkdir -p "$work" "$artifacts"
  dict=()
  [ -f "$ROOT/fuzz/dicts/$target.dict" ] && dict=(-dict="$ROOT/fuzz/dicts/$target.dict")
  log="$BUILD/$target.log"
  echo "== $target: ${SECONDS_PER_TARGET}s (log: $log)"
  "$BUILD/$target" "$work" "$seeds" "${dict[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=32768 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$log" 2>&1
  rc=$?
  grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" | sed 's/^/   /'
  if [ $rc -ne 0 ]; then
    echo "!! $target FAILED (exit $rc):"
    grep -E "ERROR: |INVARIANT BROKEN|runtime error|SUMMARY|Test unit written to" "$log" | head -20 | sed 's/^/   /'
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in $BUILD/artifacts)"
  exit 1
fi
echo "fuzz: no crashes in: $TARGETS"
