"""``renshi tick`` (everything due at a moment) and ``renshi alerts list``."""

from __future__ import annotations

import datetime
from typing import Any

import typer
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

console = Console()


class TimeFormatError(CoreError):
    template = gettext_noop("{field}: '{value}' is not an ISO date and time")


def parse_now(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise TimeFormatError(field="now", value=value) from None
    if timezone.is_naive(moment):  # a wall-clock time is read in the company's time zone
        moment = timezone.make_aware(moment)
    return moment


def register(app: typer.Typer, json_option: Any) -> None:
    alerts = typer.Typer(help=_("Early warnings: list what stands."), no_args_is_help=True)
    app.add_typer(alerts, name="alerts")

    @app.command("tick", help=_("Run everything that is due now (or at --now); idempotent."))
    def tick(
        now: str = typer.Option("", help=_("the moment, ISO 8601 (default: now)")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.alerts.services import alert_tick

        report = alert_tick(now=parse_now(now) if now else None)
        data = {
            "now": report.now.isoformat(),
            "raised": report.raised,
            "resolved": report.resolved,
            "standing": report.standing,
            "notices_created": report.notices_created,
            "notices_sent": report.notices_sent,
            "letters": report.letters,
        }
        if as_json:
            from renshi.cli import print_json

            print_json(data)
        else:
            summary = _("%(now)s: %(raised)s raised, %(resolved)s resolved, %(standing)s standing")
            console.print(summary % data)

    @alerts.command("list", help=_("Standing warnings (all with --all), newest first."))
    def alerts_list(
        company: str = typer.Option("", help=_("company code")),
        include_closed: bool = typer.Option(False, "--all", help=_("include closed warnings")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.alerts.selectors import alert_data, alerts_visible

        rows = [
            alert_data(alert, _)
            for alert in alerts_visible(
                actor=None, company_code=company or None, standing_only=not include_closed
            )
        ]
        if as_json:
            from renshi.cli import print_json

            print_json(rows)
            return
        table = Table(title=_("Warnings"))
        for column in (_("employee"), _("rule"), _("amount"), _("state"), _("message")):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["employee"] or "", _(row["rule"]), row["amount"] or "", _(row["state"]),
                row["message"],
            )  # fmt: skip
        console.print(table)
