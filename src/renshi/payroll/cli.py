"""``renshi payroll ...`` and ``renshi arrears ...``: the operator's side of payroll.

The commands run as the system (no user): whoever can run them already has the database.
"""

from __future__ import annotations

import datetime
import sys
import time
from typing import Any

import typer
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import format_money
from renshi.core.months import Month

console = Console()


class UnknownCompanyError(CoreError):
    template = gettext_noop("{field}: no company with the code '{value}'")


class NoRunError(CoreError):
    template = gettext_noop("{field}: there is no payroll run for {month}; run it first")


class UnknownEmployeeError(CoreError):
    template = gettext_noop("{field}: the company has no employee numbered '{value}'")


def _company(code: str) -> Any:
    from renshi.people.models import Company

    company = Company.objects.filter(code=code).first()
    if company is None:
        raise UnknownCompanyError(field="company", value=code)
    return company


def _employee(company: Any, number: str) -> Any:
    employee = company.employees.filter(number=number).first()
    if employee is None:
        raise UnknownEmployeeError(field="employee", value=number)
    return employee


def _run(company: Any, month: str) -> Any:
    from renshi.payroll.services import payroll_run_create

    return payroll_run_create(actor=None, company=company, month=Month.parse(month))


def run_summary(run: Any) -> dict[str, Any]:
    return {
        "company": run.company.code,
        "month": run.month,
        "state": run.state,
        "employees": run.employee_count,
        "gross": format_money(run.total_gross),
        "net": format_money(run.total_net),
        "advanced": format_money(run.total_advanced),
        "recovered": format_money(run.total_recovered),
    }


def _print_json(data: Any) -> None:
    from renshi.cli import print_json

    print_json(data)


def _show_summary(data: dict[str, Any]) -> None:
    table = Table(title=_("Payroll %(company)s %(month)s") % data, show_header=False)
    table.add_row(_("state"), _(data["state"]))
    table.add_row(_("payslips"), str(data["employees"]))
    table.add_row(_("total gross"), data["gross"])
    table.add_row(_("total net"), data["net"])
    table.add_row(_("share advanced by the company"), data["advanced"])
    table.add_row(_("arrears recovered"), data["recovered"])
    console.print(table)


def _report_failures(error: Any) -> None:
    for failure in error.failures:
        print(
            _("%(employee)s %(name)s: %(message)s")
            % {
                "employee": failure["employee"],
                "name": failure["name"],
                "message": failure["message"].render(_),
            },
            file=sys.stderr,
        )


def register(app: typer.Typer, json_option: Any) -> None:  # noqa: C901 - the command list
    payroll = typer.Typer(
        help=_("Monthly payroll runs: run, approve, pay, reopen, show."), no_args_is_help=True
    )
    arrears = typer.Typer(
        help=_("What employees owe the company: balances, ledger, repayments."),
        no_args_is_help=True,
    )
    app.add_typer(payroll, name="payroll")
    app.add_typer(arrears, name="arrears")
    company_option = typer.Option(..., "--company", help=_("company code"))
    month_option = typer.Option(..., "--month", help=_("month, YYYY-MM"))

    @payroll.command("run", help=_("Calculate a month's payroll for a company."))
    def payroll_run(
        company: str = company_option,
        month: str = month_option,
        executor: str = typer.Option(
            "auto", help=_("inline, celery, or auto (Celery when a broker is configured)")
        ),
        chunk_size: int = typer.Option(1000, help=_("employees per chunk")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.services import RunFailedError, payroll_run_calculate

        run = _run(_company(company), month)
        started = time.perf_counter()
        # The bar appears when the calculation starts, not before a refusal.
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=as_json,
        )
        task = bar.add_task(_("Calculating %(month)s") % {"month": month}, total=None)

        def progress(done: int, total: int) -> None:
            if not bar.live.is_started:
                bar.start()
            bar.update(task, completed=done, total=total)

        try:
            payroll_run_calculate(
                actor=None, run=run, executor=executor, chunk_size=chunk_size, progress=progress
            )
        except RunFailedError as error:
            if bar.live.is_started:
                bar.stop()
            _report_failures(error)
            raise
        finally:
            if bar.live.is_started:
                bar.stop()
        run.refresh_from_db()
        data = {**run_summary(run), "seconds": round(time.perf_counter() - started, 3)}
        if as_json:
            _print_json(data)
        else:
            _show_summary(data)

    def _transition(name: str, company: str, month: str, **kwargs: Any) -> dict[str, Any]:
        from renshi.payroll import services
        from renshi.payroll.models import PayrollRun

        owner = _company(company)
        Month.parse(month)
        run = PayrollRun.objects.filter(company=owner, month=month).first()
        if run is None:  # approving, paying or reopening never creates a run
            raise NoRunError(field="month", month=month)
        function = getattr(services, f"payroll_run_{name}")
        return run_summary(function(actor=None, run=run, **kwargs))

    @payroll.command("approve", help=_("Approve a calculated run; it is frozen from then on."))
    def payroll_approve(
        company: str = company_option, month: str = month_option, as_json: bool = json_option
    ) -> None:
        data = _transition("approve", company, month)
        _print_json(data) if as_json else _show_summary(data)

    @payroll.command("pay", help=_("Record that an approved run was paid."))
    def payroll_pay(
        company: str = company_option, month: str = month_option, as_json: bool = json_option
    ) -> None:
        data = _transition("mark_paid", company, month)
        _print_json(data) if as_json else _show_summary(data)

    @payroll.command("reopen", help=_("Reopen an approved run; its ledger entries are reversed."))
    def payroll_reopen(
        company: str = company_option,
        month: str = month_option,
        reason: str = typer.Option(..., help=_("why the run is reopened")),
        as_json: bool = json_option,
    ) -> None:
        data = _transition("reopen", company, month, reason=reason)
        _print_json(data) if as_json else _show_summary(data)

    @payroll.command("show", help=_("A run's totals, or one employee's payslip line by line."))
    def payroll_show(
        company: str = company_option,
        month: str = month_option,
        employee: str = typer.Option("", help=_("employee number")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.models import PayrollRun
        from renshi.payroll.presenters import payslip_data

        owner = _company(company)
        Month.parse(month)
        run = PayrollRun.objects.filter(company=owner, month=month).first()
        if not employee:
            if run is None:
                data: dict[str, Any] = {"company": company, "month": month, "state": "none"}
                _print_json(data) if as_json else console.print(_("No payroll run yet."))
                return
            data = run_summary(run)
            _print_json(data) if as_json else _show_summary(data)
            return
        from renshi.payroll.selectors import payslip_for

        person = _employee(owner, employee)
        payslip = payslip_for(actor=None, employee=person, month=month)
        if payslip is None:
            raise UnknownEmployeeError(field="employee", value=employee)
        data = payslip_data(payslip, _)
        if as_json:
            _print_json(data)
            return
        table = Table(title=_("Payslip %(employee)s %(name)s %(month)s") % data)
        table.add_column(_("item"))
        table.add_column(_("employee"), justify="right")
        table.add_column(_("employer"), justify="right")
        table.add_column(_("how"))
        for line in data["lines"]:
            table.add_row(
                line["label"], line["amount"], line["employer_amount"], line["explanation"]
            )
        console.print(table)

    @payroll.command(
        "bases", help=_("Annual base adjustment: new bases from last year's average wage.")
    )
    def payroll_bases(
        company: str = company_option,
        year: int = typer.Option(..., help=_("the year whose wages set the new bases")),
        start: str = typer.Option(..., "--from", help=_("first month of the new bases, YYYY-MM")),
        apply: bool = typer.Option(False, "--apply", help=_("put the new bases in force")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.base_adjustment import (
            base_adjustment_apply,
            base_adjustment_prepare,
        )

        adjustment = base_adjustment_prepare(
            actor=None,
            company=_company(company),
            reference_year=year,
            effective_month=Month.parse(start, field="from"),
        )
        changed = base_adjustment_apply(actor=None, adjustment=adjustment) if apply else 0
        rows = [
            {
                "employee": line.enrolment.employee.number,
                "name": line.enrolment.employee.name,
                "city": line.enrolment.city,
                "months_paid": line.months_paid,
                "average_wage": format_money(line.average_wage),
                "current_base": format_money(line.current_base),
                "new_base": format_money(line.new_base),
                "clamped": line.clamped,
                "is_below_actual": line.is_below_actual,
            }
            for line in adjustment.lines.select_related("enrolment__employee").order_by(
                "enrolment__employee__number"
            )
        ]
        data = {
            "company": company,
            "year": year,
            "from": start,
            "applied": apply,
            "changed": changed,
            "below_actual": sum(row["is_below_actual"] for row in rows),
            "lines": rows,
        }
        if as_json:
            _print_json(data)
            return
        table = Table(title=_("Bases from %(from)s (wages of %(year)s)") % data)
        for column in (
            _("employee"),
            _("name"),
            _("city"),
            _("average monthly wage"),
            _("current base"),
            _("new base"),
            _("current base below actual wage"),
        ):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["employee"],
                row["name"],
                row["city"],
                row["average_wage"],
                row["current_base"],
                row["new_base"],
                "⚠" if row["is_below_actual"] else "",
            )
        console.print(table)
        if apply:
            console.print(_("%(changed)s bases changed.") % data)

    @arrears.command("list", help=_("Employees who owe the company, and how much."))
    def arrears_list(company: str = company_option, as_json: bool = json_option) -> None:
        from renshi.payroll.selectors import arrears_balances_for_company

        rows = [
            {
                "employee": row["employee__number"],
                "name": row["employee__name"],
                "status": row["employee__status"],
                "balance": format_money(row["balance"]),
            }
            for row in arrears_balances_for_company(actor=None, company=_company(company))
        ]
        if as_json:
            _print_json(rows)
            return
        table = Table(title=_("Arrears"))
        for column in (_("employee"), _("name"), _("status"), _("owed")):
            table.add_column(column)
        for row in rows:
            table.add_row(row["employee"], row["name"], _(row["status"]), row["balance"])
        console.print(table)

    @arrears.command("show", help=_("One employee's arrears ledger with the running balance."))
    def arrears_show(
        company: str = company_option,
        employee: str = typer.Option(..., help=_("employee number")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.presenters import ledger_data
        from renshi.payroll.selectors import arrears_ledger

        person = _employee(_company(company), employee)
        data = ledger_data(person, arrears_ledger(actor=None, employee=person), _)
        if as_json:
            _print_json(data)
            return
        table = Table(title=_("Arrears of %(employee)s %(name)s") % data)
        for column in (_("month"), _("movement"), _("amount"), _("balance"), _("note")):
            table.add_column(column)
        for row in data["entries"]:
            table.add_row(
                row["month"], row["kind_label"], row["amount"], row["balance"], row["note"]
            )
        console.print(table)

    _register_receivable(arrears, company_option, json_option)

    @arrears.command("repay", help=_("Record a repayment by the employee."))
    def arrears_repay(
        company: str = company_option,
        employee: str = typer.Option(..., help=_("employee number")),
        amount: str = typer.Option(..., help=_("amount repaid")),
        date: str = typer.Option("", help=_("date paid, YYYY-MM-DD (default today)")),
        reference: str = typer.Option("", help=_("bank reference or receipt number")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.services import arrears_balance, arrears_repayment_record

        person = _employee(_company(company), employee)
        paid_on = _date(date) if date else timezone.localdate()
        entry = arrears_repayment_record(
            actor=None, employee=person, amount=amount, paid_on=paid_on, reference=reference
        )
        data = {
            "employee": person.number,
            "repaid": format_money(-entry.amount),
            "balance": format_money(arrears_balance(person)),
        }
        if as_json:
            _print_json(data)
        else:
            console.print(_("Recorded. %(employee)s now owes %(balance)s.") % data)


def _register_receivable(arrears: typer.Typer, company_option: Any, json_option: Any) -> None:
    @arrears.command(
        "add", help=_("Record another amount the employee owes (loan, equipment, overpayment).")
    )
    def arrears_add(
        company: str = company_option,
        employee: str = typer.Option(..., help=_("employee number")),
        amount: str = typer.Option(..., help=_("amount owed")),
        reason: str = typer.Option(..., help=_("what it is for")),
        date: str = typer.Option("", help=_("date, YYYY-MM-DD (default today)")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.payroll.services import arrears_balance, receivable_record

        person = _employee(_company(company), employee)
        on = _date(date) if date else timezone.localdate()
        receivable_record(actor=None, employee=person, amount=amount, on=on, reason=reason)
        data = {"employee": person.number, "balance": format_money(arrears_balance(person))}
        if as_json:
            _print_json(data)
        else:
            console.print(_("Recorded. %(employee)s now owes %(balance)s.") % data)


class DateFormatError(CoreError):
    template = gettext_noop("{field}: '{value}' is not a date in YYYY-MM-DD form")


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DateFormatError(field="date", value=value) from None
