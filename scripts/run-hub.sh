#!/usr/bin/env bash
# README command (1): install what is needed, build the release binary and run the
# hub on its embedded default (store in ./data). Extra arguments go to `leadhub serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target leadhub
exec build/release/app/leadhub --data "${LEADHUB_DATA:-data}" serve "$@"
