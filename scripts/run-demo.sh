#!/usr/bin/env bash
# `make run`: the web app, a Celery worker and beat on the embedded defaults (SQLite, the
# filesystem broker and e-mails written to var/mail/). Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CELERY=.venv/bin/celery
PORT="${PORT:-8000}"
# The demo's printed logins work with a password alone; everywhere else two factors are required.
export TWO_FACTOR_REQUIRED="${TWO_FACTOR_REQUIRED:-false}"
mkdir -p var/broker/out var/broker/processed var/broker/control var/mail var/log

$PY manage.py migrate --no-input
# A release may add clocks: a demo seeded before it gets them now (a production deploy runs it once).
$PY manage.py refresh_clocks
$PY manage.py seed_demo

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

$CELERY -A project worker --loglevel=INFO --concurrency=1 >var/log/worker.log 2>&1 &
pids+=($!)
$CELERY -A project beat --loglevel=INFO --schedule=var/celerybeat-schedule \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler >var/log/beat.log 2>&1 &
pids+=($!)

echo
echo "  Review engine running at http://127.0.0.1:${PORT}/"
echo "  Celery worker log: var/log/worker.log   beat log: var/log/beat.log   e-mails: var/mail/"
echo "  REST API: http://127.0.0.1:${PORT}/api/docs/ (tokens on /accounts/tokens/ after two-factor sign-in; docs/API.md)"
echo "  Demo logins are listed above (password: ${DEMO_PASSWORD:-demo-review-2026}). Ctrl-C stops everything."
if [ "${TWO_FACTOR_REQUIRED}" = "false" ]; then
    echo "  Demo only: two-factor sign-in is OFF (TWO_FACTOR_REQUIRED=false), so these logins need just the password."
fi
echo
$PY manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait "${pids[-1]}"
