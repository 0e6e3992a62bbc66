#!/usr/bin/env bash
# Installs what gop needs from Debian's packages, only what is missing.
# Usage: scripts/setup.sh [build|test|bench|report]   (default: build)
# Idempotent and quiet; fast when everything is already there.
set -euo pipefail

build_pkgs=(g++ cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  nlohmann-json3-dev libyaml-cpp-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  libbenchmark-dev libpq-dev libboost-dev zlib1g-dev
  postgresql openssl procps)
test_pkgs=(prometheus docker-compose)
bench_pkgs=(wrk hey nginx-light time)
report_pkgs=(chromium)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  report) want+=("${report_pkgs[@]}") ;;
  *) echo "setup.sh: unknown profile '$1' (build|test|bench|report)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "gop needs these Debian packages, which are not installed:" >&2
  echo "  ${missing[*]}" >&2
  echo "Run as root, or install them first:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a default cluster when it installs postgresql; gop's tests and
# quickstart start their own throwaway clusters and never need it.
