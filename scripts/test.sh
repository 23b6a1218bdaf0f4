#!/usr/bin/env bash
# The whole suite: lint, types, every test on SQLite, then the database tests on PostgreSQL.
# Under CI (CI=true or RENSHI_REQUIRE_SERVICES=1) a missing PostgreSQL or Redis fails the run;
# on a developer's machine it is reported and the tests that need it are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
require=0
[ "${CI:-}" = "true" ] || [ "${RENSHI_REQUIRE_SERVICES:-0}" = "1" ] && require=1
export RENSHI_REQUIRE_SERVICES=$require

echo "== lint and types"
$BIN/ruff check src tests bench
$BIN/ruff format --check src tests bench
$BIN/mypy src/renshi/core

echo "== services"
services_ok=1
scripts/services.sh || services_ok=0
if [ $services_ok -eq 0 ] && [ $require -eq 1 ]; then
  echo "FAIL: PostgreSQL and Redis are required under CI" >&2
  exit 1
fi

echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest "$@"

PG_URL="${RENSHI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/renshi}"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "== database tests on PostgreSQL"
  DATABASE_URL="$PG_URL" $BIN/pytest -m "django_db or services" "$@"
elif [ $require -eq 1 ]; then
  echo "FAIL: PostgreSQL is required under CI" >&2
  exit 1
else
  echo "SKIPPED: PostgreSQL is not running here; the database tests ran on SQLite only" >&2
fi
