#!/usr/bin/env bash
# Start PostgreSQL 15 and Redis on loopback (idempotent) and create the newsroom
# role. Sourced by .ci/run and the benchmark; prints the URLs it exports.
set -euo pipefail

if ! pg_lsclusters -h | grep -q "^15 *main"; then
  pg_createcluster 15 main >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='newsroom'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE newsroom LOGIN SUPERUSER PASSWORD 'newsroom'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='newsroom'\"" | grep -q 1 \
  || su postgres -c "createdb -O newsroom newsroom"

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

export POSTGRES_URL="postgres://newsroom:newsroom@127.0.0.1:5432/newsroom"
export REDIS_SERVER_URL="redis://127.0.0.1:6379"
echo "services: $POSTGRES_URL $REDIS_SERVER_URL"
