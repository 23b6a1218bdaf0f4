"""Screenshots of the main pages at phone and desktop sizes, for the README.

    .venv/bin/python scripts/screenshots.py [--employees 40] [--out docs/screenshots]

Builds the demo company in a temporary data directory, serves it as ``make run`` does (the
demo's clock, the embedded SQLite database) on a free loopback port, signs in with the
documented demo accounts in Debian's headless Chromium and saves one PNG per page and size.
Nothing is downloaded; nothing outside ``--out`` is written.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
DEMO_NOW = "2025-11-07T09:00:00+08:00"
PASSWORD = "renshi-demo-2025"  # noqa: S105 - the documented demo accounts
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# (file name, account, path or a callable name resolved after sign-in, sizes)
EMPLOYEE_PAGES = [
    ("portal-home", "/me/"),
    ("portal-payslip", "latest-payslip"),
    ("portal-insurance", "/me/insurance/"),
    ("portal-owed", "/me/owed/"),
    ("portal-pension", "/me/pension/"),
    ("portal-backpay", "/me/backpay/"),
    ("portal-help", "/me/help/"),
]
HR_PAGES = [
    ("workspace-home", "/work/"),
    ("workspace-payroll-run", "open-run"),
    ("workspace-enrolments", "/work/enrolments/"),
    ("red-flag-board", "/alerts/"),
    ("case-page", "seed-case"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([BIN / "renshi", *args], env=env, check=True, capture_output=True)
    return done.stdout.decode()


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [BIN / "renshi", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not start")


def _resolve(env: dict[str, str], name: str) -> str:
    """Paths that depend on the demo's ids, read from its database."""
    script = {
        "latest-payslip": (
            "from renshi.payroll.models import Payslip;"
            "p=Payslip.objects.filter(employee__user__username='hx0006',"
            "run__state__in=['approved','paid']).order_by('-month').first();"
            "print(f'/me/payslips/{p.pk}/')"
        ),
        "open-run": (
            "from renshi.payroll.models import PayrollRun;"
            "r=PayrollRun.objects.order_by('-month').first();print(f'/work/payroll/{r.pk}/')"
        ),
        "seed-case": (
            "from django.urls import reverse;from renshi.people.models import Employee;"
            "e=Employee.objects.get(number='HX0001');"
            "print(reverse('alerts:case', args=[e.number]))"
        ),
    }[name]
    code = f"import django;django.setup();{script}"
    done = subprocess.run(
        [BIN / "python", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def _shrink(path: Path) -> None:
    """A page is a few flat colours: a 256-colour palette keeps it sharp at a third the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _shoot(base: str, out: Path, env: dict[str, str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("RENSHI_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for username, pages in (("hx0006", EMPLOYEE_PAGES), ("hr", HR_PAGES)):
            for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
                context = browser.new_context(viewport=size, locale="zh-CN")
                page = context.new_page()
                page.goto(base + "/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("#login-form button[type=submit]")
                page.wait_for_load_state("networkidle")
                for file_name, where in pages:
                    path = where if where.startswith("/") else _resolve(env, where)
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(400)  # charts finish their animation
                    target = out / f"{file_name}-{size_name}.png"
                    page.screenshot(path=str(target), full_page=size_name == "desktop")
                    _shrink(target)
                    saved.append(target)
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="renshi-screenshots-"))
    env = dict(os.environ, RENSHI_DATA_DIR=str(directory), RENSHI_NOW=DEMO_NOW)
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "renshi.config.settings.dev"
    _run(env, "migrate", "--no-input")
    _run(env, "demo", "--employees", str(args.employees))
    port = _free_port()
    server = _serve(env, port)
    try:
        for path in _shoot(f"http://127.0.0.1:{port}", args.out, env):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
