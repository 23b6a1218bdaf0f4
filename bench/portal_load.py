"""The portal under load: requests per second and latency at N concurrent signed-in employees.

    python -m bench.portal_load [--db postgres|sqlite] [--users 50] [--seconds 20] \
        [--workers 5] [--employees 120]

Sets up what production runs, on loopback: a fresh database (a new PostgreSQL database named
``renshi_bench_portal`` on 127.0.0.1, or a temporary SQLite file), the production settings with
generated keys, the demo company, collected static files, and gunicorn with ``--workers`` sync
workers. Each of ``--users`` virtual users is a different employee who signs in through the
login form like a browser (CSRF token, session cookie), then, for ``--seconds`` per page, requests
one page again and again, as fast as answers come back:

- ``home``: the portal's overview ``/me/``;
- ``payslip``: the user's latest payslip ``/me/payslips/<id>/``.

The client runs on the same machine (aiohttp, one process), so it takes CPU from the server:
the figures are a floor. Every answer must be 200 and show the employee's own name; any other
answer counts as an error. One line per page:

    portal_load page=home users=50 workers=5 db=postgres requests=R rps=X p50_ms=A p99_ms=B \
errors=0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_ADMIN_URL = os.environ.get("RENSHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("RENSHI_BENCH_PORTAL_DB", "renshi_bench_portal")
BIN = Path(sys.executable).parent
DEMO_NOW = "2025-11-07T09:00:00+08:00"
PASSWORD = "bench-portal-pw-2025"  # noqa: S105 - throwaway accounts in a throwaway database
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(slots=True)
class User:
    username: str
    name: str
    payslip_id: int
    cookies: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> str:
        return "; ".join(f"{key}={value}" for key, value in self.cookies.items())

    def keep(self, response_cookies: object) -> None:
        for key, morsel in response_cookies.items():  # type: ignore[attr-defined]
            self.cookies[key] = morsel.value


def _environment(db: str, directory: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RENSHI_DATA_DIR=str(directory),
        DJANGO_SETTINGS_MODULE="renshi.config.settings.prod",
        RENSHI_SECRET_KEY=secrets.token_urlsafe(40),
        RENSHI_ALLOWED_HOSTS="127.0.0.1",
        RENSHI_LOOKUP_KEY=secrets.token_urlsafe(32),
        RENSHI_NOW=DEMO_NOW,
        RENSHI_EMBEDDED_TICK_SECONDS="0",
    )
    env.pop("CELERY_BROKER_URL", None)
    # The keys are made under the development settings: production refuses to start without them.
    making = {**env, "DJANGO_SETTINGS_MODULE": "renshi.config.settings.dev"}
    key = subprocess.run(
        [BIN / "renshi", "keys", "generate"], env=making, check=True, capture_output=True, text=True
    )
    env["RENSHI_ENCRYPTION_KEYS"] = key.stdout.strip().splitlines()[-1]
    evidence_key = directory / "evidence.pem"
    subprocess.run(
        [BIN / "renshi", "evidence", "keygen", "--out", str(evidence_key)],
        env=making,
        check=True,
        capture_output=True,
    )
    env["RENSHI_EVIDENCE_KEY"] = str(evidence_key)
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/{BENCH_DB}"
    return env


def _prepare(env: dict[str, str], *, employees: int, users: int) -> list[User]:
    for command in (["migrate", "--no-input"], ["demo", "--employees", str(employees)]):
        subprocess.run([BIN / "renshi", *command], env=env, check=True, capture_output=True)
    subprocess.run(
        [BIN / "renshi", "collectstatic", "--no-input"], env=env, check=True, capture_output=True
    )
    script = f"""
import django, json
django.setup()
from django.contrib.auth import get_user_model
from renshi.payroll.models import Payslip
from renshi.payroll.selectors import payslips_visible
from renshi.people.models import Employee
from renshi.people.services import employee_account_link
found = []
for employee in Employee.objects.filter(status="active").order_by("number"):
    if len(found) == {users}:
        break
    user = employee.user
    if user is None:
        username = "bench-" + employee.number.lower()
        user = get_user_model().objects.create_user(username, "", {PASSWORD!r})
        employee_account_link(actor=None, employee=employee, user=user)
    else:
        user.set_password({PASSWORD!r})
        user.save(update_fields=["password"])
    latest = (payslips_visible(actor=user, company=employee.company)
              .filter(employee=employee).order_by("-month").first())
    if latest is not None:
        found.append([user.username, employee.name, latest.pk])
print(json.dumps(found))
"""
    result = subprocess.run(
        [BIN / "python", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    import json

    rows = json.loads(result.stdout.strip().splitlines()[-1])
    if len(rows) < users:
        raise SystemExit(f"only {len(rows)} employees with a payslip; ask for fewer --users")
    return [User(username, name, payslip_id) for username, name, payslip_id in rows]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(env: dict[str, str], *, workers: int, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "renshi.config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


async def _sign_in(session: object, base: str, user: User) -> None:
    async with session.get(f"{base}/login/") as response:  # type: ignore[attr-defined]
        page = await response.read()
        user.keep(response.cookies)
    token = CSRF.search(page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    form = {
        "csrfmiddlewaretoken": token.group(1).decode(),
        "username": user.username,
        "password": PASSWORD,
    }
    headers = {"Cookie": user.cookie_header(), "Referer": f"{base}/login/"}
    async with session.post(  # type: ignore[attr-defined]
        f"{base}/login/", data=form, headers=headers, allow_redirects=False
    ) as response:
        if response.status != 302:
            raise SystemExit(f"{user.username} could not sign in: HTTP {response.status}")
        user.keep(response.cookies)


async def _hammer(
    session: object, url: str, user: User, until: float, latencies: list[float]
) -> int:
    errors = 0
    expected = user.name.encode()
    headers = {"Cookie": user.cookie_header()}
    while time.monotonic() < until:
        started = time.perf_counter()
        async with session.get(url, headers=headers, allow_redirects=False) as response:  # type: ignore[attr-defined]
            body = await response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200 or expected not in body:
            errors += 1
    return errors


def _percentile(ordered: list[float], share: float) -> float:
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def _measure(base: str, users: list[User], seconds: float, label: str) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        await asyncio.gather(*(_sign_in(session, base, user) for user in users))
        pages = {
            "home": lambda user: f"{base}/me/",
            "payslip": lambda user: f"{base}/me/payslips/{user.payslip_id}/",
        }
        for page, url_of in pages.items():
            warm: list[float] = []
            warm_until = time.monotonic() + 2
            await asyncio.gather(
                *(_hammer(session, url_of(user), user, warm_until, warm) for user in users)
            )
            latencies: list[float] = []
            started = time.monotonic()
            until = started + seconds
            errors = await asyncio.gather(
                *(_hammer(session, url_of(user), user, until, latencies) for user in users)
            )
            elapsed = time.monotonic() - started
            ordered = sorted(latencies)
            print(
                f"portal_load page={page} users={len(users)} {label} requests={len(ordered)} "
                f"rps={len(ordered) / elapsed:.0f} p50_ms={_percentile(ordered, 0.50) * 1000:.0f} "
                f"p99_ms={_percentile(ordered, 0.99) * 1000:.0f} errors={sum(errors)}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--employees", type=int, default=120)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="renshi-bench-portal-"))
    env = _environment(args.db, directory)
    started = time.perf_counter()
    users = _prepare(env, employees=args.employees, users=args.users)
    print(f"setup: demo with {args.employees} employees in {time.perf_counter() - started:.1f} s")
    port = _free_port()
    server = _serve(env, workers=args.workers, port=port)
    try:
        label = f"workers={args.workers} db={args.db}"
        asyncio.run(_measure(f"http://127.0.0.1:{port}", users, args.seconds, label))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
