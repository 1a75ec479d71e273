#!/usr/bin/env bash
# Runs docker-compose.cluster.yml for real and tears it down: PostgreSQL, the one-shot migration, three silos, the AdminApi.
# It waits for health, checks that jobs fire and that the AdminApi answers, kills one silo container (SIGKILL) and checks that
# the jobs it hosted fire on the others, then removes everything it made, volumes included. Prints the start-up time and the
# failover times. Exit 0: passed, or not run because no Docker engine can be had here (it says why); 1: a check failed.
#
# Where no image registry is reachable (this project's CI machine reaches only the Debian, NuGet and npm registries), the
# base images are built locally and tagged with the official names, only for as long as the run lasts: a Debian root file
# system from debootstrap stands in for the .NET and PostgreSQL images (.NET runtime copied from the host's SDK install,
# PostgreSQL 15 from Debian). Wherever the official images can be pulled they are used. Either way the compose file and the
# Dockerfiles are used as they are; the application in each image is published on the host and put on the runtime stage of
# the real Dockerfile (scripts/compose-smoke/Prebuilt.Dockerfile), which saves a publish inside a container per image.
# The override file adds six command jobs (scripts/compose-smoke/override.yml).
#
#   sudo bash scripts/compose-smoke.sh            # as root: installs docker.io, docker-compose and debootstrap if missing
#   TOTALLATOR_SMOKE_KEEP=1 ...                   # leave the cluster up afterwards (then: docker-compose -p totallator-smoke down -v)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
project=totallator-smoke
here=scripts/compose-smoke
work=${TMPDIR:-/tmp}/totallator-compose-smoke
started=$(date +%s)

say() { printf '[compose-smoke %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
not_run() { say "NOT RUN: $*"; exit 0; }
fail() { say "FAILED: $*"; exit 1; }

# --- An engine -------------------------------------------------------------------------------------------------------------
docker_bin=$(command -v docker || true)
if [ -x /usr/bin/docker ]; then docker_bin=/usr/bin/docker; fi   # the engine's own client when Debian's docker.io is installed
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null; then
    if [ "$(id -u)" != 0 ]; then not_run "no Docker engine, docker-compose or debootstrap here, and not root to install them"; fi
    if ! command -v apt-get >/dev/null; then not_run "no Docker engine here and no apt-get to install one"; fi
    say "installing docker.io, docker-compose and debootstrap (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io docker-compose debootstrap >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io docker-compose debootstrap >/dev/null 2>&1; } \
        || not_run "apt-get could not install docker.io, docker-compose and debootstrap"
    docker_bin=/usr/bin/docker
fi
docker() { "$docker_bin" "$@"; }
if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then not_run "the Docker engine is not running, and not root to start it"; fi
    say "starting dockerd"
    (nohup dockerd >"${TMPDIR:-/tmp}/totallator-dockerd.log" 2>&1 &)
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || not_run "dockerd did not start (log: ${TMPDIR:-/tmp}/totallator-dockerd.log): $(tail -n 3 "${TMPDIR:-/tmp}/totallator-dockerd.log" | tr '\n' ' ')"
fi
# Compose v2 where it is there, else v1 from Debian (--compatibility turns deploy.replicas into three silos). v1 predates the
# top-level `name:` (the project's name, which -p gives here as well), so it reads a copy without that one line.
compose_file=docker-compose.cluster.yml
if docker compose version >/dev/null 2>&1; then
    compose=("$docker_bin" compose)
else
    compose=(docker-compose --compatibility --project-directory "$root")
    mkdir -p "$work"
    compose_file="$work/docker-compose.cluster.yml"
    grep -v '^name:' docker-compose.cluster.yml >"$compose_file"
fi
say "engine: $(docker version --format '{{.Server.Version}}'); compose: $("${compose[@]}" version --short 2>/dev/null || echo v1)"

# --- Base images: the official ones, or local stand-ins under their names ---------------------------------------------------
standins=()
pull_or_stand_in() { # image, builder function
    if docker image inspect "$1" >/dev/null 2>&1; then return; fi
    if timeout 60 "$docker_bin" pull -q "$1" >/dev/null 2>&1; then say "pulled $1"; return; fi
    say "cannot pull $1: building a local stand-in"
    "$2" "$1"
    standins+=("$1")
}
debian_base() {
    local image=totallator-local/debian:bookworm
    if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; return; fi
    local rootfs="$work/rootfs"
    rm -rf "$rootfs"; mkdir -p "$rootfs"
    # What the official images carry that the application needs: certificates, ICU, OpenSSL, time zones.
    debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
        || fail "debootstrap failed: $(tail -n 3 "$work/debootstrap.log" | tr '\n' ' ')"
    # Machines behind a TLS-inspecting proxy trust its CA through the host's local certificates; so must the containers.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || true
    fi
    tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
    rm -rf "$rootfs"
    echo "$image"
}
aspnet_standin() {
    local base dotnet ctx="$work/aspnet"
    base=$(debian_base)
    dotnet=$(dirname "$(readlink -f "$(command -v dotnet)")")
    local runtime
    runtime=$(ls "$dotnet/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
    rm -rf "$ctx"; mkdir -p "$ctx/dotnet/shared"
    cp -a "$dotnet/dotnet" "$dotnet/host" "$ctx/dotnet/"
    cp -a "$dotnet/shared/Microsoft.NETCore.App" "$dotnet/shared/Microsoft.AspNetCore.App" "$ctx/dotnet/shared/"
    printf 'FROM %s\nCOPY dotnet /usr/share/dotnet\nRUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet\nENV DOTNET_RUNNING_IN_CONTAINER=true ASPNETCORE_HTTP_PORTS=8080\n' "$base" >"$ctx/Dockerfile"
    docker build -q -t "$1" "$ctx" >/dev/null || fail "building the stand-in for $1"
    say "  $1: Debian 12 and the host's ASP.NET Core runtime $runtime"
    rm -rf "$ctx"
}
postgres_standin() {
    local base ctx="$work/postgres"
    base=$(debian_base)
    rm -rf "$ctx"; mkdir -p "$ctx"
    cp "$here/postgres-entrypoint.sh" "$ctx/"
    cat >"$ctx/Dockerfile" <<EOF
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["postgres-entrypoint.sh"]
EOF
    docker build -q -t "$1" "$ctx" >/dev/null || fail "building the stand-in for $1"
    say "  $1: Debian 12's PostgreSQL 15"
    rm -rf "$ctx"
}

key="smoke-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
files=(-f "$compose_file" -f "$root/$here/override.yml")
cleanup() {
    local rc=$?
    if [ "${TOTALLATOR_SMOKE_KEEP:-}" = 1 ]; then
        say "left running (TOTALLATOR_SMOKE_KEEP=1): ${compose[*]} ${files[*]} -p $project down -v"
    else
        TOTALLATOR_ADMIN_API_KEY=$key "${compose[@]}" "${files[@]}" -p "$project" down -v --remove-orphans >/dev/null 2>&1 || true
        for image in "${standins[@]}"; do docker rmi "$image" >/dev/null 2>&1 || true; done
        docker rmi "totallator-silo:$project" "totallator-adminapi:$project" "totallator-silo-runtime:$project" "totallator-adminapi-runtime:$project" >/dev/null 2>&1 || true
        say "torn down: containers, networks, volumes and the images it built"
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
mkdir -p "$work"

pull_or_stand_in mcr.microsoft.com/dotnet/aspnet:10.0 aspnet_standin
pull_or_stand_in postgres:15 postgres_standin

# --- The application images ---------------------------------------------------------------------------------------------
say "publishing the silo and the AdminApi on the host"
for app in Silo AdminApi; do
    dotnet publish "src/$app/$app.csproj" -c Release -o "$work/publish/$app" -p:UseAppHost=false >"$work/publish-$app.log" 2>&1 \
        || fail "dotnet publish src/$app: $(tail -n 5 "$work/publish-$app.log")"
done
for app in Silo AdminApi; do
    lower=$(tr '[:upper:]' '[:lower:]' <<<"$app")
    docker build -q --target runtime -t "totallator-$lower-runtime:$project" -f "src/$app/Dockerfile" . >/dev/null \
        || fail "the runtime stage of src/$app/Dockerfile did not build"
    docker build -q --build-arg "RUNTIME=totallator-$lower-runtime:$project" -t "totallator-$lower:$project" \
        -f "$here/Prebuilt.Dockerfile" "$work/publish/$app" >/dev/null || fail "the $app image did not build"
done
say "images built: totallator-silo:$project, totallator-adminapi:$project"

# --- Up ---------------------------------------------------------------------------------------------------------------------
export TOTALLATOR_ADMIN_API_KEY=$key TOTALLATOR_TAG=$project
say "up: ${compose[*]} ${files[*]} -p $project up -d --no-build"
up=$(date +%s.%N)
"${compose[@]}" "${files[@]}" -p "$project" up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up"; }
api=http://127.0.0.1:8080
ready=""
for _ in $(seq 1 240); do
    if curl -fsS "$api/health/ready" >/dev/null 2>&1; then ready=$(date +%s.%N); break; fi
    sleep 0.5
done
if [ -z "$ready" ]; then
    "${compose[@]}" "${files[@]}" -p "$project" ps || true
    "${compose[@]}" "${files[@]}" -p "$project" logs --tail 30 || true
    fail "the AdminApi was not ready 120 s after up"
fi
startup=$(awk -v a="$up" -v b="$ready" 'BEGIN { printf "%.1f", b - a }')
say "AdminApi ready $(printf '%.1f' "$startup") s after up (PostgreSQL, migration, 3 silos healthy, AdminApi)"

psql_() { "${compose[@]}" "${files[@]}" -p "$project" exec -T postgres psql -U totallator -d totallator -Atc "$1"; }
get() { curl -fsS -H "X-Api-Key: $key" "$api/api/cron$1"; }

# --- Jobs fire, the API answers -------------------------------------------------------------------------------------------
jobs=$(get "/jobs?q=smoke&limit=50") || fail "GET /api/cron/jobs did not answer 2xx"
listed=$(grep -o '"slug":"smoke-[0-9]"' <<<"$jobs" | sort -u | wc -l)
[ "$listed" = 6 ] || fail "the job list shows $listed of the 6 smoke jobs"
for _ in $(seq 1 60); do
    fired=$(psql_ "SELECT count(DISTINCT j.slug) FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId WHERE j.slug LIKE 'smoke-%' AND e.status = 'succeeded'")
    [ "$fired" = 6 ] && break
    sleep 1
done
[ "$fired" = 6 ] || fail "only $fired of the 6 jobs ran successfully within 60 s of the AdminApi being ready"
get "/jobs/smoke-1/executions?limit=5" | grep -q '"status":"succeeded"' || fail "the API does not show smoke-1's successful runs"
say "every job fired; the AdminApi lists the jobs and their runs"

# --- Kill the silo that hosts the most jobs --------------------------------------------------------------------------------
declare -A address_of
for id in $("${compose[@]}" "${files[@]}" -p "$project" ps -q silo); do
    address_of[$id]=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")
done
# Who runs a job is read from its latest runs (the silo that claimed them, leaseOwner), not from what the job row says.
latest_runner="SELECT DISTINCT ON (j.slug) j.slug, e.leaseOwner FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
                WHERE j.slug LIKE 'smoke-%' AND e.leaseOwner IS NOT NULL ORDER BY j.slug, e.scheduledFor DESC"
victim="" most=-1
for id in "${!address_of[@]}"; do
    n=$(psql_ "SELECT count(*) FROM ($latest_runner) r WHERE r.leaseOwner LIKE '%${address_of[$id]}:%'")
    if [ "$n" -gt "$most" ]; then victim=$id; most=$n; fi
done
[ "$most" -gt 0 ] || fail "no smoke job's runs name the silo that claimed them"
hosted=$(psql_ "SELECT string_agg(slug, ' ' ORDER BY slug) FROM ($latest_runner) r WHERE r.leaseOwner LIKE '%${address_of[$victim]}:%'")
docker kill "$victim" >/dev/null
# Taken once the kill has returned (containers share the host's clock): the victim can start no run due after this. Read
# before the kill (through a compose exec, about a second), it let the victim's last run count as the survivors' (CI, once).
killed_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
say "killed silo ${address_of[$victim]} (SIGKILL), which ran: $hosted"

# Each of its jobs must run an occurrence due after the kill, on a survivor; the gap is the first such start after the kill.
gaps=()
for slug in $hosted; do
    gap=""
    for _ in $(seq 1 120); do
        gap=$(psql_ "SELECT round(extract(epoch FROM min(e.startedAt) - '$killed_at'::timestamptz)::numeric, 1) FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
                     WHERE j.slug = '$slug' AND e.status = 'succeeded' AND e.scheduledFor > '$killed_at'::timestamptz")
        [ -n "$gap" ] && break
        sleep 1
    done
    [ -n "$gap" ] || fail "$slug (run by the killed silo) did not run again within 120 s"
    runner=$(psql_ "SELECT e.leaseOwner FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId WHERE j.slug = '$slug' AND e.status = 'succeeded'
                    AND e.scheduledFor > '$killed_at'::timestamptz ORDER BY e.startedAt LIMIT 1")
    case "$runner" in *"${address_of[$victim]}:"*) fail "$slug's run after the kill names the killed silo ($runner)";; esac
    gaps+=("$gap")
done
twice=$(psql_ "SELECT count(*) FROM (SELECT 1 FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId WHERE j.slug LIKE 'smoke-%'
               AND e.startedAt IS NOT NULL GROUP BY e.cronJobId, e.occurrenceKey, e.retryCount HAVING count(*) > 1) d")
[ "$twice" = 0 ] || fail "$twice occurrence(s) ran twice"
ended=$(psql_ "SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM (SELECT e.status, count(*) AS n FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId WHERE j.slug LIKE 'smoke-%' GROUP BY e.status) s")
sorted=$(printf '%s\n' "${gaps[@]}" | sort -n)
say "the killed silo's ${#gaps[@]} job(s) ran again on the survivors after: $(tr '\n' ' ' <<<"$sorted")s (first start after the kill)"
say "rows of the smoke jobs: $ended; none ran twice"
say "PASSED: start-up $(printf '%.1f' "$startup") s; failover max $(tail -n 1 <<<"$sorted") s"
