#!/usr/bin/env bash
# Installs everything leadhub needs to build, run and test on Debian 12 (run as root).
# Idempotent: when every package is already installed it returns in about a second
# without touching the network.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  liblmdb-dev lmdb-utils libsimdjson-dev libyaml-cpp-dev libboost-dev libboost-test-dev
  libpugixml-dev libre2-dev libphonenumber-dev libicu-dev libssl-dev libqpid-proton-cpp12-dev
  libcpprest-dev libjemalloc-dev
)
test_packages=(
  python3 python3-jsonschema procps libxml2-utils clang libclang-rt-14-dev
  curl openssl chromium python3-websocket rabbitmq-server python3-qpid-proton python3-pika
)

bench_packages=(wrk curl python3 rabbitmq-server)

want=("${build_packages[@]}")
for option in "$@"; do
  case $option in
    --with-tests) want+=("${test_packages[@]}") ;;
    --with-bench) want+=("${bench_packages[@]}") ;;
    *) echo "install-deps.sh: unknown option $option (use --with-tests, --with-bench)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
