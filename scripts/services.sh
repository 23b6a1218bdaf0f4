#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, starting them where they are installed
# but not running. Prints what it found; exits 1 if either is still missing.
set -uo pipefail
status=0

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
fi
if pg_up; then echo "services: PostgreSQL is up"; else echo "services: PostgreSQL is NOT available"; status=1; fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /tmp/renshi-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/renshi-redis --logfile /tmp/renshi-redis/redis.log >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
fi
if redis_up; then echo "services: Redis is up"; else echo "services: Redis is NOT available"; status=1; fi
exit $status
