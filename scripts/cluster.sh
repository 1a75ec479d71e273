#!/usr/bin/env bash
# The local cluster runner: PostgreSQL from the system packages, N silo processes and the AdminApi on loopback ports, no Docker.
# The fault suite drives real faults through it; operators use it to try a cluster on one machine.
#
#   scripts/cluster.sh up N            build, start PostgreSQL, apply the schema, start N silos and the AdminApi, wait until ready
#   scripts/cluster.sh down            stop everything gracefully (running jobs get the shutdown grace period), then SIGKILL leftovers
#   scripts/cluster.sh status          each process: pid, state (running / stopped / dead), ports, readiness
#   scripts/cluster.sh kill  <name>    SIGKILL: a crashed host (no shutdown code runs)
#   scripts/cluster.sh stop  <name>    SIGSTOP: a hung host (sockets stay open, nothing answers)
#   scripts/cluster.sh cont  <name>    SIGCONT: the hung host wakes up
#   scripts/cluster.sh term  <name>    SIGTERM and wait: a graceful stop of one process
#   scripts/cluster.sh start <name>    start one process (again, or a new silo: scale out) and wait until ready
#   scripts/cluster.sh restart <name>  term + start: one step of a rolling restart
#   scripts/cluster.sh logs  <name>    the process's log
#
# <name> is silo1, silo2, … (or just 1, 2, …) or adminapi. Settings, all optional:
#   TOTALLATOR_CLUSTER_DIR   where pid files, logs and the admin key live (default: .cluster in the repository)
#   TOTALLATOR_POSTGRES      connection string (default: the local server scripts/ensure-postgres.sh starts, database totallator_local)
#   TOTALLATOR_PORT_OFFSET   added to every port (default 0): silo n listens on 11110+n (silo), 30000+n (gateway), 5080+n (HTTP);
#                            the AdminApi on 8080
#   TOTALLATOR_CLUSTER_ID    Orleans cluster and service id (default: local)
#   TOTALLATOR_ADMIN_API_KEY the AdminApi's bootstrap admin key (default: generated once, kept in the cluster dir)
#   TOTALLATOR_NO_BUILD=1    use the Release builds already under artifacts/bin
#   TOTALLATOR_SILO_FAKETIME a libfaketime offset for the silo being started (e.g. +5s): a skewed clock (needs the faketime package)
#   TOTALLATOR_SILO_NETNS    a network namespace to start the silo in (ip netns exec, as root)
#   TOTALLATOR_READY_TIMEOUT seconds to wait for a process to be ready (default 120)
# Any other variable in the environment (e.g. Cron__Scheduler__LeaseDuration=00:00:10, Cron__Jobs__x__Schedule=…) reaches the
# processes as configuration. The first `up` saves the settings above in the cluster dir; later commands reuse them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${TOTALLATOR_CLUSTER_DIR:-$repo/.cluster}
mkdir -p "$dir"
saved="$dir/settings"
if [ -f "$saved" ]; then
  # shellcheck disable=SC1090
  . "$saved"
fi
postgres=${TOTALLATOR_POSTGRES:-${saved_postgres:-Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=totallator_local}}
offset=${TOTALLATOR_PORT_OFFSET:-${saved_offset:-0}}
cluster_id=${TOTALLATOR_CLUSTER_ID:-${saved_cluster_id:-local}}
ready_timeout=${TOTALLATOR_READY_TIMEOUT:-120}
silo_dll="$repo/artifacts/bin/Silo/release/Totallator.Silo.dll"
admin_dll="$repo/artifacts/bin/AdminApi/release/Totallator.AdminApi.dll"

say() { echo "cluster: $*"; }
fail() { echo "cluster: $*" >&2; exit 1; }

save_settings() {
  printf 'saved_postgres=%q\nsaved_offset=%q\nsaved_cluster_id=%q\n' "$postgres" "$offset" "$cluster_id" >"$saved"
}

# silo3 | 3 -> silo3; adminapi -> adminapi.
name_of() {
  case "$1" in
    adminapi) echo adminapi ;;
    silo[0-9]*) echo "$1" ;;
    [0-9]*) echo "silo$1" ;;
    *) fail "unknown process '$1' (silo1, silo2, …, or adminapi)" ;;
  esac
}

http_port() {
  if [ "$1" = adminapi ]; then echo $((8080 + offset)); else echo $((5080 + ${1#silo} + offset)); fi
}

pid_of() { [ -f "$dir/$1.pid" ] && cat "$dir/$1.pid" || true; }

# running | stopped (SIGSTOP) | dead
state_of() {
  local pid; pid=$(pid_of "$1")
  if [ -z "$pid" ] || [ ! -e "/proc/$pid/stat" ]; then echo dead; return; fi
  local s; s=$(awk '{print $3}' "/proc/$pid/stat")
  case "$s" in
    T|t) echo stopped ;;
    Z|X) echo dead ;;
    *) echo running ;;
  esac
}

# The status code of GET /health/ready, or 000 when nothing answers within 2 s (bash's /dev/tcp: no curl needed).
# Inside a network namespace the probe runs there too, on that namespace's loopback (the silo listens on 0.0.0.0 there; the
# namespace's lo must be up, as `ip link set lo up` inside it does).
ready_code() {
  local name=$1 port; port=$(http_port "$1")
  local host=127.0.0.1 prefix=()
  if [ -f "$dir/$name.netns" ]; then prefix=(ip netns exec "$(cat "$dir/$name.netns")"); fi
  "${prefix[@]}" timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -n 1 <&3" 2>/dev/null \
    | awk '{print $2}' | grep -E '^[0-9]{3}$' || echo 000
}

wait_ready() {
  local name=$1 deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(state_of "$name")" = dead ] && { tail -n 30 "$dir/$name.log" >&2; fail "$name exited before it was ready (log: $dir/$name.log)"; }
    [ "$(ready_code "$name")" = 200 ] && { say "$name ready"; return 0; }
    sleep 0.5
  done
  tail -n 30 "$dir/$name.log" >&2
  fail "$name not ready within ${ready_timeout} s (log: $dir/$name.log)"
}

admin_key() {
  if [ -n "${TOTALLATOR_ADMIN_API_KEY:-}" ]; then echo "$TOTALLATOR_ADMIN_API_KEY"; return; fi
  if [ ! -s "$dir/admin-key" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$dir/admin-key")
  fi
  cat "$dir/admin-key"
}

build() {
  if [ "${TOTALLATOR_NO_BUILD:-}" = 1 ]; then
    [ -f "$silo_dll" ] && [ -f "$admin_dll" ] || fail "TOTALLATOR_NO_BUILD=1 but $silo_dll or $admin_dll is missing"
    return
  fi
  say "building (Release)"
  dotnet build "$repo/src/Silo/Silo.csproj" -c Release -v quiet -nologo >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; fail "build failed"; }
  dotnet build "$repo/src/AdminApi/AdminApi.csproj" -c Release -v quiet -nologo >>"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; fail "build failed"; }
}

# Starts one process detached (its own session, so a signal to the group reaches its job processes too, as on a real host).
launch() {
  local name=$1
  [ "$(state_of "$name")" = dead ] || fail "$name is already running (pid $(pid_of "$name"))"
  local port; port=$(http_port "$name")
  local env=(ConnectionStrings__Postgres="$postgres" Orleans__ClusterId="$cluster_id" Orleans__ServiceId="$cluster_id"
             Urls="http://127.0.0.1:$port" DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Production}")
  local cmd=()
  rm -f "$dir/$name.netns"
  if [ "$name" = adminapi ]; then
    env+=(Admin__ApiKey="$(admin_key)")
    cmd=(dotnet "$admin_dll")
  else
    local n=${name#silo}
    env+=(Orleans__SiloPort=$((11110 + n + offset)) Orleans__GatewayPort=$((30000 + n + offset)))
    # A cluster runs the example jobs only when asked; this runner is for trying things, so it asks unless told otherwise.
    env+=(Cron__Examples__Enabled="${Cron__Examples__Enabled:-true}")
    if [ -n "${TOTALLATOR_SILO_NETNS:-}" ]; then
      # In its own namespace the silo listens on all of that namespace's addresses, so the health probe reaches it there too.
      env+=(Urls="http://0.0.0.0:$port")
      echo "$TOTALLATOR_SILO_NETNS" >"$dir/$name.netns"
      cmd+=(ip netns exec "$TOTALLATOR_SILO_NETNS")
    fi
    if [ -n "${TOTALLATOR_SILO_FAKETIME:-}" ]; then
      local lib; lib=$(find /usr/lib -name 'libfaketime.so.1' -path '*faketime*' 2>/dev/null | head -n 1)
      [ -n "$lib" ] || fail "TOTALLATOR_SILO_FAKETIME needs libfaketime (apt-get install faketime)"
      # Only the wall clock is skewed: .NET's timers run on the monotonic clock, which a skewed host still has right. Without
      # FORCE_MONOTONIC_FIX=0, libfaketime's glibc workaround breaks timed waits and Npgsql times out at once.
      env+=(LD_PRELOAD="$lib" FAKETIME="${TOTALLATOR_SILO_FAKETIME}" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0)
      echo "$TOTALLATOR_SILO_FAKETIME" >"$dir/$name.faketime"
    else
      rm -f "$dir/$name.faketime"
    fi
    cmd+=(dotnet "$silo_dll")
  fi
  echo "--- $(date -u +%FT%TZ) start" >>"$dir/$name.log"
  setsid env "${env[@]}" "${cmd[@]}" >>"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  say "$name started (pid $!, http://127.0.0.1:$port)"
}

signal() {
  local name=$1 sig=$2 pid; pid=$(pid_of "$name")
  [ -n "$pid" ] && [ "$(state_of "$name")" != dead ] || fail "$name is not running"
  # The whole session: the silo and the job processes it started, as when a host dies or hangs.
  kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid"
}

# SIGTERM and wait for the graceful shutdown (bounded by the silo's own ShutdownTimeout), then SIGKILL.
terminate() {
  local name=$1 wait_s=${2:-120}
  [ "$(state_of "$name")" = dead ] && return 0
  [ "$(state_of "$name")" = stopped ] && signal "$name" CONT
  local pid; pid=$(pid_of "$name") started=$SECONDS
  kill -s TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + wait_s))
  while [ $SECONDS -lt $deadline ] && [ "$(state_of "$name")" != dead ]; do sleep 0.2; done
  if [ "$(state_of "$name")" != dead ]; then
    say "$name did not stop within ${wait_s} s: SIGKILL"
    kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null || true
  fi
  say "$name stopped ($((SECONDS - started)) s)"
}

names() { for f in "$dir"/silo*.pid; do [ -e "$f" ] && basename "$f" .pid; done | sort -V; }

cmd=${1:-}
case "$cmd" in
  up)
    count=${2:-3}
    [[ "$count" =~ ^[1-9][0-9]*$ ]] || fail "up needs a silo count, e.g. up 3"
    save_settings
    if [ -z "${TOTALLATOR_POSTGRES:-}" ] && [ -z "${saved_postgres:-}" ]; then bash "$repo/scripts/ensure-postgres.sh" >/dev/null; fi
    build
    say "applying the schema"
    ConnectionStrings__Postgres="$postgres" dotnet "$silo_dll" migrate >>"$dir/migrate.log" 2>&1 || { tail -n 20 "$dir/migrate.log" >&2; fail "migration failed"; }
    for n in $(seq 1 "$count"); do launch "silo$n"; done
    for n in $(seq 1 "$count"); do wait_ready "silo$n"; done
    launch adminapi
    wait_ready adminapi
    say "admin pages: http://127.0.0.1:$(http_port adminapi)/admin/cron  (key: $dir/admin-key or TOTALLATOR_ADMIN_API_KEY)"
    ;;
  down)
    # The AdminApi first, then the silos one at a time, newest first: each stop is graceful (running jobs finish or are
    # recorded), and a bounded sequence is easier to read in the output than a race. Each silo stops in 1-2 s.
    for name in adminapi $(names | sort -rV); do
      [ -e "$dir/$name.pid" ] || continue
      terminate "$name"
    done
    rm -f "$dir"/*.pid
    ;;
  status)
    printf '%-9s %-8s %-8s %-22s %s\n' NAME PID STATE PORTS READY
    for name in $(names) adminapi; do
      [ -e "$dir/$name.pid" ] || continue
      state=$(state_of "$name")
      port=$(http_port "$name")
      if [ "$name" = adminapi ]; then ports="http $port"; else n=${name#silo}; ports="silo $((11110 + n + offset)) gw $((30000 + n + offset)) http $port"; fi
      ready=-
      [ "$state" = running ] && ready=$(ready_code "$name")
      extra=""
      [ -f "$dir/$name.netns" ] && extra+=" netns=$(cat "$dir/$name.netns")"
      [ -f "$dir/$name.faketime" ] && extra+=" faketime=$(cat "$dir/$name.faketime")"
      printf '%-9s %-8s %-8s %-22s %s%s\n' "$name" "$(pid_of "$name")" "$state" "$ports" "$ready" "$extra"
    done
    ;;
  kill) signal "$(name_of "${2:?kill needs a name}")" KILL; say "$(name_of "$2") killed (SIGKILL)" ;;
  stop) signal "$(name_of "${2:?stop needs a name}")" STOP; say "$(name_of "$2") stopped (SIGSTOP)" ;;
  cont) signal "$(name_of "${2:?cont needs a name}")" CONT; say "$(name_of "$2") continued (SIGCONT)" ;;
  term) terminate "$(name_of "${2:?term needs a name}")" ;;
  start)
    name=$(name_of "${2:?start needs a name}")
    launch "$name"
    wait_ready "$name"
    ;;
  restart)
    name=$(name_of "${2:?restart needs a name}")
    terminate "$name"
    launch "$name"
    wait_ready "$name"
    ;;
  logs) cat "$dir/$(name_of "${2:?logs needs a name}").log" ;;
  *)
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = -h ] || exit 2
    ;;
esac
