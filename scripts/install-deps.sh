#!/usr/bin/env bash
# Installs everything leadhub needs to build, run and test on Debian 12 (run as root).
# Idempotent: when every package is already installed it returns in about a second
# without touching the network.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  liblmdb-dev lmdb-utils libsimdjson-dev libyaml-cpp-dev libboost-dev libboost-test-dev
  libpugixml-dev libre2-dev libphonenumber-dev libicu-dev libssl-dev libqpid-proton-cpp12-dev
  libcpprest-dev libjemalloc-dev zlib1g-dev
)
test_packages=(
  python3 python3-jsonschema procps libxml2-utils clang libclang-rt-14-dev
  curl openssl chromium python3-websocket rabbitmq-server python3-qpid-proton python3-pika
  python3-prometheus-client
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
# Debian starts rabbitmq-server's system service on install (where systemd runs). The
# tests and benchmarks start their own broker (scripts/rabbitmq.sh), and the service
# would hold port 5672, where `leadhub serve` listens for AMQP by default: stop and
# disable the service this script installed. A RabbitMQ installed before is left alone.
if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && [ -d /run/systemd/system ]; then
  systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
  echo "install-deps: stopped and disabled the rabbitmq-server system service (the tests start their own)"
fi
echo "install-deps: done"
