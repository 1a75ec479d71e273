#!/usr/bin/env bash
# Makes sure the tools the fault suite needs are installed: libfaketime (case 6, a silo with a skewed wall clock:
# TOTALLATOR_SILO_FAKETIME in scripts/cluster.sh) and iproute2 (case 7, a silo partitioned in its own network namespace:
# `ip netns`). As root on a fresh machine it installs the missing system packages; idempotent, and says what it did.
set -euo pipefail

missing=()
# The preload library is what the runner needs (the `faketime` package depends on libfaketime, which ships it).
if ! find /usr/lib -name 'libfaketime.so.1' -path '*faketime*' 2>/dev/null | grep -q .; then missing+=(faketime); fi
if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then missing+=(iproute2); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "ensure-fault-tools: faketime and iproute2 already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-fault-tools: missing ${missing[*]} and this is not root; install them (apt-get install ${missing[*]}); the fault suite needs them" >&2
  exit 1
fi
echo "ensure-fault-tools: installing ${missing[*]} from the system packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "ensure-fault-tools: installed ${missing[*]}"
