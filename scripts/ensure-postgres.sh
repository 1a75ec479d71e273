#!/usr/bin/env bash
# Makes sure a PostgreSQL server the tests can use answers on 127.0.0.1:5432 (user postgres, password postgres).
# On a fresh Debian machine (as root) it installs PostgreSQL from the system packages, starts it and sets the password.
# Skipped when TOTALLATOR_TEST_POSTGRES points the tests at another server.
set -euo pipefail

if [ -n "${TOTALLATOR_TEST_POSTGRES:-}" ]; then
  echo "ensure-postgres: using TOTALLATOR_TEST_POSTGRES; nothing to start"
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-postgres: PostgreSQL is not installed and this is not root; install it (apt-get install postgresql) or set TOTALLATOR_TEST_POSTGRES" >&2
    exit 1
  fi
  echo "ensure-postgres: installing PostgreSQL from the system packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p 5432
# A fresh install only has peer authentication on the socket; tests connect over TCP with a password.
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
# The cluster tests open a connection pool per silo and per test database.
if [ "$(su postgres -c "psql -tAc 'SHOW max_connections'")" -lt 300 ]; then
  su postgres -c "psql -q -c 'ALTER SYSTEM SET max_connections = 300'"
  pg_ctlcluster "$version" main restart
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
echo "ensure-postgres: PostgreSQL $version ready on 127.0.0.1:5432"
