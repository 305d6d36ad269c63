#!/usr/bin/env bash
# `make prod-smoke`: the production topology on this machine, on PostgreSQL and Redis, and a smoke
# test through it. DEBUG=false and the production settings; a fresh database (migrated here);
# collectstatic (hashed, compressed files); 2 gunicorn instances on two ports, 2 Celery workers and
# 1 beat; then scripts/prod_smoke.py through both web instances. Everything started here is stopped
# on the way out (trap), success or failure, and the database and the folder are removed.
#
# PROD_SMOKE_POSTGRES: a PostgreSQL URL whose user may create databases (the smoke creates its own).
# PROD_SMOKE_REDIS: the Redis database for the broker and the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BIN=.venv/bin
POSTGRES="${PROD_SMOKE_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
REDIS="${PROD_SMOKE_REDIS:-redis://127.0.0.1:6379/13}"
DB_NAME="reviews_prod_smoke_$$"
WORK="$(mktemp -d /tmp/reviews-prod-smoke.XXXXXX)"
PIDS=()

cleanup() {
    status=$?
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        # Warm shutdown; after 20 s, kill what is left of the process we started.
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    psql "$POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
    if [ "$status" != 0 ]; then
        echo "prod-smoke FAILED (exit $status); the last lines of each log:" >&2
        for log in "$WORK"/log/*.log; do echo "== $log" >&2; tail -n 20 "$log" >&2; done
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WEB1_PORT="$(free_port)"
WEB2_PORT="$(free_port)"
while [ "$WEB2_PORT" = "$WEB1_PORT" ]; do WEB2_PORT="$(free_port)"; done

mkdir -p "$WORK/log"
export DJANGO_SETTINGS_MODULE=project.settings
export DEBUG=false
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
AUDIT_CHAIN_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
INTAKE_MATCH_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECRET_KEY AUDIT_CHAIN_KEY INTAKE_MATCH_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
# As behind nginx (deploy/nginx/reviews.conf): TLS ends at the proxy, which says so in X-Forwarded-Proto.
export SECURE_PROXY_SSL_HEADER=true
export DATABASE_URL="$POSTGRES/$DB_NAME"
export CACHE_URL="$REDIS"
export CELERY_BROKER_URL="$REDIS"
# A queue of this run's own: another run or test on the same Redis never takes these tasks.
export CELERY_TASK_DEFAULT_QUEUE="prod-smoke-$$"
export VAR_DIR="$WORK/var"
export LOG_LEVEL=INFO
METRICS_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
export METRICS_TOKEN

echo "prod-smoke: fresh database $DB_NAME, Redis $REDIS, folder $WORK"
psql "$POSTGRES/postgres" -qc "CREATE DATABASE $DB_NAME" >/dev/null
"$PY" manage.py migrate --no-input >"$WORK/log/migrate.log" 2>&1
"$PY" manage.py collectstatic --no-input >"$WORK/log/collectstatic.log" 2>&1
"$PY" manage.py check --deploy --fail-level WARNING >"$WORK/log/check.log" 2>&1

start() {  # start NAME COMMAND...: in the background, its output in log/NAME.log
    local name="$1"
    shift
    "$@" >"$WORK/log/$name.log" 2>&1 &
    PIDS+=("$!")
}
for port in "$WEB1_PORT" "$WEB2_PORT"; do
    # Each instance's metrics in a folder of its own, as the web unit's RuntimeDirectory gives it.
    mkdir -p "$WORK/metrics-$port"
    start "web-$port" env PROMETHEUS_MULTIPROC_DIR="$WORK/metrics-$port" \
        "$BIN/gunicorn" project.wsgi:application --config deploy/gunicorn.conf.py \
        --bind "127.0.0.1:$port" --workers 2 \
        --timeout 60 --no-control-socket --access-logfile - --error-logfile -
done
for n in 1 2; do
    start "worker-$n" "$BIN/celery" -A project worker --loglevel=INFO --concurrency=1 \
        --hostname="smoke$n-$$@%h" --queues="$CELERY_TASK_DEFAULT_QUEUE"
done
start beat "$BIN/celery" -A project beat --loglevel=INFO \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile=

"$PY" scripts/prod_smoke.py --web "http://127.0.0.1:$WEB1_PORT" --web "http://127.0.0.1:$WEB2_PORT" \
    --workers 2 --beat-log "$WORK/log/beat.log" --worker-name-suffix="-$$@"
echo "prod-smoke: passed (web on ports $WEB1_PORT and $WEB2_PORT, 2 workers, 1 beat)"
