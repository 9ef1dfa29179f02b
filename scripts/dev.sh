#!/usr/bin/env bash
# Run the whole system in the foreground without Docker: Redis, the X sandbox,
# the web service, the tweeter, the mailer and the scheduler, with SQLite.
# Ctrl-C stops all.
set -euo pipefail

VENV=${VENV:-.venv}
STATE_DIR=${STATE_DIR:-var/dev}
REDIS_PORT=${REDIS_PORT:-6379}
mkdir -p "$STATE_DIR"

export DATABASE_URL=${DATABASE_URL:-sqlite:///$STATE_DIR/tweetnow.sqlite3}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
export PATH="$PWD/$VENV/bin:$PATH"
# Webhooks may call receivers on this machine (127.0.0.1) in development.
export WEBHOOK_ALLOW_PRIVATE=${WEBHOOK_ALLOW_PRIVATE:-1}

trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE_DIR" \
  --appendonly yes --save "" --loglevel warning &
tweetnow-migrate
x-sandbox &
tweetnow-web &
WEB_PID=$!
METRICS_PORT=9191 tweetnow-tweeter &
METRICS_PORT=9192 tweetnow-mailer &
tweetnow-scheduler &

# Say it runs only once the web is ready (Redis, the database and its schema):
# a sign-in tried the moment this is printed must work.
until python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${WEB_PORT:-8000}/readyz', timeout=1)" 2>/dev/null; do
  kill -0 "$WEB_PID" 2>/dev/null || { echo "the web service did not start" >&2; exit 1; }
  sleep 0.2
done

cat <<MSG

  tweetnow is running:
    web        http://127.0.0.1:8000   (sign in with X goes to the sandbox)
    X sandbox  http://127.0.0.1:8081   (what was "posted")
  Ctrl-C stops everything.

MSG
wait
