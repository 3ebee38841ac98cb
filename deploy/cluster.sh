#!/usr/bin/env bash
# TuneLab as a small cluster on one machine, for trying and testing:
#   PostgreSQL (Debian's, loopback) <- two `streamlit run` servers <- HAProxy (sticky cookie,
#   websockets), and a Ray head plus one Ray worker that trains the lab runs.
#
#   deploy/cluster.sh start         start everything; prints the proxy's URL
#   deploy/cluster.sh stop          stop everything this script started
#   deploy/cluster.sh status        what is running
#   deploy/cluster.sh kill-worker   SIGKILL the Ray worker node (a machine lost mid-run)
#   deploy/cluster.sh start-worker  start (again) the Ray worker node
#   deploy/cluster.sh kill-app N    SIGKILL app server N (1 or 2)
#
# Settings (environment): TUNELAB_CLUSTER_DIR (state, logs; default .cluster/),
# TUNELAB_CLUSTER_PORT (proxy; apps on +1 and +2; default 8600), TUNELAB_CLUSTER_PG_PORT
# (default 5433), TUNELAB_CLUSTER_RAY_PORT (default 6380), TUNELAB_RAY_WORKER_CPUS (default 1),
# TUNELAB_DATABASE_URL (use this PostgreSQL instead of starting one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${TUNELAB_CLUSTER_DIR:-$ROOT/.cluster}
PY=${TUNELAB_PYTHON:-$ROOT/.venv/bin/python}
RAY="$(dirname "$PY")/ray"
PROXY_PORT=${TUNELAB_CLUSTER_PORT:-8600}
APP_PORTS=("$((PROXY_PORT + 1))" "$((PROXY_PORT + 2))")
PG_PORT=${TUNELAB_CLUSTER_PG_PORT:-5433}
RAY_PORT=${TUNELAB_CLUSTER_RAY_PORT:-6380}
RAY_ADDRESS="127.0.0.1:$RAY_PORT"
WORKER_CPUS=${TUNELAB_RAY_WORKER_CPUS:-1}
PG_DIR="$STATE/pg"
export RAY_USAGE_STATS_ENABLED=0 PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

say() { echo "cluster: $*" >&2; }

# Run a PostgreSQL binary as the owner of its data folder: initdb refuses to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

database_url() {
  if [ -n "${TUNELAB_DATABASE_URL:-}" ]; then echo "$TUNELAB_DATABASE_URL"
  else echo "postgresql+psycopg://tunelab@127.0.0.1:$PG_PORT/tunelab"; fi
}

start_postgres() {
  [ -n "${TUNELAB_DATABASE_URL:-}" ] && { say "using TUNELAB_DATABASE_URL"; return; }
  local bin; bin=$(pg_bin)
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    # trust on loopback only: this is a machine for trying TuneLab, not for serving a class.
    as_pg "$bin/initdb" -D "$PG_DIR" -U tunelab -A trust >"$STATE/pg-init.log"
  fi
  as_pg "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200" start \
    >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U tunelab -d postgres -qtc \
    "select 1 from pg_database where datname='tunelab'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U tunelab tunelab
  say "PostgreSQL on 127.0.0.1:$PG_PORT"
}

# Start a long-running command in its own process group, remembering the group's id.
spawn() {
  local name=$1; shift
  setsid "$@" >"$STATE/$name.log" 2>&1 < /dev/null &
  echo $! >"$STATE/$name.pid"
}

stop_group() {
  local pidfile="$STATE/$1.pid" sig=${2:-TERM}
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  kill "-$sig" -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

wait_for() {  # wait_for <what> <seconds> <command...>
  local what=$1 limit=$2; shift 2
  for _ in $(seq 1 $((limit * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  say "$what did not come up in ${limit}s; logs in $STATE"; return 1
}


start_ray_head() {
  # No CPUs on the head: every run goes to a worker, as on a real cluster.
  spawn ray-head "$RAY" start --head --block --node-ip-address=127.0.0.1 --port="$RAY_PORT" \
    --num-cpus=0 --include-dashboard=false --object-store-memory=100000000
  wait_for "Ray head" 60 "$RAY" status --address "$RAY_ADDRESS"
  say "Ray head on $RAY_ADDRESS"
}

worker_joined() {  # the cluster offers CPUs again (the head has none of its own)
  "$RAY" status --address "$RAY_ADDRESS" | grep -Eq '/[1-9][0-9.]* CPU'
}

start_ray_worker() {
  spawn ray-worker "$RAY" start --block --node-ip-address=127.0.0.1 --address="$RAY_ADDRESS" \
    --num-cpus="$WORKER_CPUS" --object-store-memory=100000000
  wait_for "Ray worker" 60 worker_joined
  say "Ray worker with $WORKER_CPUS CPU(s)"
}

start_apps() {
  local secret_file="$STATE/cookie-secret"
  # One cookie secret for every server: a learner moved to another server keeps a valid
  # sign-in cookie and XSRF token.
  [ -f "$secret_file" ] || "$PY" -c "import secrets; print(secrets.token_hex(32))" >"$secret_file"
  local i=0
  for port in "${APP_PORTS[@]}"; do
    i=$((i + 1))
    # HAProxy reaches the apps from loopback and names the browser in X-Forwarded-For:
    # trusted from there only, by TuneLab's gates and by uvicorn (Streamlit's server) alike.
    spawn "app$i" env TUNELAB_DATABASE_URL="$(database_url)" TUNELAB_RAY_ADDRESS="$RAY_ADDRESS" \
      STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$secret_file")" \
      TUNELAB_TRUSTED_PROXIES="${TUNELAB_TRUSTED_PROXIES:-127.0.0.1}" \
      FORWARDED_ALLOW_IPS="${TUNELAB_TRUSTED_PROXIES:-127.0.0.1}" \
      "$PY" -m streamlit run "$ROOT/app.py" --server.headless true --server.port "$port" \
      --server.address 127.0.0.1 --browser.gatherUsageStats false \
      --server.fileWatcherType none
  done
  for port in "${APP_PORTS[@]}"; do
    wait_for "app server on $port" 90 curl -fsS "http://127.0.0.1:$port/_stcore/health"
  done
  say "app servers on ${APP_PORTS[*]}"
}

start_proxy() {
  sed -e "s|@PROXY_PORT@|$PROXY_PORT|g" -e "s|@APP1_PORT@|${APP_PORTS[0]}|g" \
    -e "s|@APP2_PORT@|${APP_PORTS[1]}|g" -e "s|@STATE@|$STATE|g" \
    "$ROOT/deploy/haproxy.cfg" >"$STATE/haproxy.cfg"
  haproxy -c -q -f "$STATE/haproxy.cfg"
  haproxy -D -f "$STATE/haproxy.cfg"
  wait_for "HAProxy" 20 curl -fsS "http://127.0.0.1:$PROXY_PORT/_stcore/health"
  say "HAProxy on http://127.0.0.1:$PROXY_PORT"
}

stop_all() {
  [ -f "$STATE/haproxy.pid" ] && { kill "$(cat "$STATE/haproxy.pid")" 2>/dev/null || true; rm -f "$STATE/haproxy.pid"; }
  stop_group app1; stop_group app2
  stop_group ray-worker; stop_group ray-head
  if [ -z "${TUNELAB_DATABASE_URL:-}" ] && [ -f "$PG_DIR/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null || true
  fi
  say "stopped"
}

status() {
  for name in app1 app2 ray-head ray-worker; do
    local pidfile="$STATE/$name.pid" state=stopped
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && state="running"
    echo "$name: $state"
  done
  [ -f "$STATE/haproxy.pid" ] && kill -0 "$(cat "$STATE/haproxy.pid")" 2>/dev/null \
    && echo "haproxy: running" || echo "haproxy: stopped"
}

mkdir -p "$STATE"
case "${1:-}" in
  start)
    start_postgres; start_ray_head; start_ray_worker; start_apps; start_proxy
    echo "http://127.0.0.1:$PROXY_PORT"
    ;;
  stop) stop_all ;;
  status) status ;;
  kill-worker) stop_group ray-worker KILL; say "Ray worker killed" ;;
  start-worker) start_ray_worker ;;
  kill-app) stop_group "app${2:?which app server, 1 or 2}" KILL; say "app server $2 killed" ;;
  env) echo "TUNELAB_DATABASE_URL=$(database_url)"; echo "TUNELAB_RAY_ADDRESS=$RAY_ADDRESS" ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
