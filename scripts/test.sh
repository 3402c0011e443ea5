#!/usr/bin/env bash
# README command (2): install what is needed, build with AddressSanitizer and
# UndefinedBehaviorSanitizer, and run the whole test suite with ctest (which prints
# its summary). Pass ctest arguments to pick a subset, e.g. `-L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-tests
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan -j 2 "$@"
