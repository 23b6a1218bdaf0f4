"""Renshi's own subcommands, built after Django is set up so help texts are translated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from renshi.calc import calculations
from renshi.cli import print_json

console = Console()
if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
    console = Console(width=160)


def option_names(args: list[str]) -> set[str]:
    """The long options (without dashes) a user may have typed, to name them in errors."""
    return {arg[2:].split("=", 1)[0] for arg in args if arg.startswith("--")}


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def _pct(rate: str) -> str:
    from decimal import Decimal

    return f"{(Decimal(rate) * 100).normalize():f}%"


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]⚠ {warning}[/yellow]")


def _show_si(data: dict[str, Any]) -> None:
    rows = [
        [
            item["label"],
            item["base"],
            _pct(item["employer_rate"]),
            item["employer"],
            _pct(item["employee_rate"])
            + (f" + {item['employee_fixed']}" if item["employee_fixed"] != "0.00" else ""),
            item["employee"],
        ]
        for item in data["items"]
    ]
    rows.append(
        [_("Social insurance total"), "", "", data["employer_total"], "", data["employee_total"]]
    )
    hf = data["housing_fund"]
    rows.append(
        [
            _("Housing fund"),
            hf["base"],
            _pct(hf["rate"]),
            hf["employer"],
            _pct(hf["rate"]),
            hf["employee"],
        ]
    )
    totals = data["with_housing_fund"]
    rows.append(
        [
            _("Total with housing fund"),
            "",
            "",
            totals["employer_total"],
            "",
            totals["employee_total"],
        ]
    )
    title = _("%(city)s %(month)s, wage %(wage)s") % {
        "city": data["city_name"],
        "month": data["month"],
        "wage": data["wage"],
    }
    console.print(
        _table(
            title,
            [
                _("Item"),
                _("Base"),
                _("Employer rate"),
                _("Employer"),
                _("Employee rate"),
                _("Employee"),
            ],
            rows,
        )
    )
    sources = {s["id"]: s for item in data["items"] for s in item["sources"]}
    sources.update({s["id"]: s for s in hf["sources"]})
    console.print(
        _("Period: social insurance %(si)s, housing fund %(hf)s")
        % {"si": data["items"][0]["period"] if data["items"] else "-", "hf": hf["period"]}
    )
    for source in sources.values():
        label = _("Source")
        console.print(f"  [dim]{label}: {source['title']} {source['url']}[/dim]")
    _warn(data["warnings"])


def _show_iit(data: dict[str, Any]) -> None:
    rows = [
        [
            m["month"],
            m["income"],
            m["cumulative_taxable_income"],
            _pct(m["rate"]),
            m["cumulative_tax"],
            m["withholding"],
        ]
        for m in data["months"]
    ]
    rows.append([_("Total"), "", "", "", "", data["total"]])
    console.print(
        _table(
            _("Individual income tax, cumulative withholding %(year)s") % {"year": data["year"]},
            [
                _("Month"),
                _("Income"),
                _("Cumulative taxable income"),
                _("Rate"),
                _("Cumulative tax"),
                _("Withholding"),
            ],
            rows,
        )
    )


def _show_bonus(data: dict[str, Any]) -> None:
    rows = [
        [_("Bonus"), data["amount"]],
        [_("Divided by 12"), data["monthly_equivalent"]],
        [_("Rate"), _pct(data["rate"])],
        [_("Quick deduction"), data["quick_deduction"]],
        [_("Tax"), data["tax"]],
        [_("After tax"), data["net"]],
    ]
    comparison = data.get("comparison")
    if comparison:
        rows += [
            [_("Total tax, bonus taxed separately"), comparison["separate_total_tax"]],
            [_("Total tax, bonus merged into wages"), comparison["merged_total_tax"]],
            [
                _("Lower tax"),
                _("separately") if comparison["better"] == "separate" else _("merged"),
            ],
        ]
    console.print(_table(_("Annual one-time bonus"), [_("Item"), _("Amount")], rows))


def _show_pension(data: dict[str, Any]) -> None:
    age = data["retirement_age"]
    rows = [
        [_("Retirement month"), data["retirement_month"]],
        [
            _("Retirement age"),
            _("%(y)d years %(m)d months") % {"y": age["years"], "m": age["months"]},
        ],
        [_("Months divisor"), str(data["divisor"])],
        [_("Basic pension"), data["basic"]],
        [_("Personal account pension"), data["personal"]],
        [_("Monthly pension"), data["total"]],
    ]
    gap = data.get("gap_cost")
    if gap:
        rows += [
            [_("Gap: personal account shortfall"), gap["personal_account_shortfall"]],
            [_("Gap: monthly pension loss"), gap["monthly_loss"]],
            [_("Gap: loss over the divisor months"), gap["loss_over_divisor_months"]],
        ]
    console.print(_table(_("Pension estimate"), [_("Item"), _("Value")], rows))
    _warn(data["warnings"])


def _emit(data: Any, as_json: bool, show: Any) -> None:
    if as_json:
        print_json(data)
    else:
        show(data)


def build_app() -> typer.Typer:  # noqa: C901 - one place that declares every command
    app = typer.Typer(
        name="renshi",
        help=_(
            "Renshi (人事): HR, payroll and social insurance. Django's management commands "
            "(renshi migrate, renshi createsuperuser, renshi runserver) also run here."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    calc = typer.Typer(
        help=_("Calculators: social insurance, income tax, bonus, pension."), no_args_is_help=True
    )
    policy = typer.Typer(
        help=_("The policy library: list, show, check, import, export."), no_args_is_help=True
    )
    app.add_typer(calc, name="calc")
    app.add_typer(policy, name="policy")
    json_option = typer.Option(False, "--json", help=_("print JSON for scripts"))

    @calc.command("si", help=_("Social insurance and housing fund for a wage, city and month."))
    def calc_si(
        city: str = typer.Option(..., help=_("city code, e.g. beijing")),
        month: str = typer.Option(..., help=_("month, YYYY-MM")),
        wage: str = typer.Option(..., help=_("monthly wage")),
        base: str = typer.Option("", help=_("declared contribution base if not the wage")),
        housing_fund_rate: str = typer.Option("", help=_("housing fund rate, e.g. 0.12")),
        work_injury_class: str = typer.Option("", help=_("industry risk class")),
        as_json: bool = json_option,
    ) -> None:
        data = calculations.calc_si(
            city=city,
            month=month,
            wage=wage,
            base=base,
            housing_fund_rate=housing_fund_rate,
            work_injury_class=work_injury_class,
        )
        _emit(data, as_json, _show_si)

    @calc.command("iit", help=_("Individual income tax by cumulative withholding for a year."))
    def calc_iit(
        year: str = typer.Option(..., help=_("tax year")),
        monthly_income: str = typer.Option(..., help=_("wage income each month")),
        special_deductions: str = typer.Option(
            "0", help=_("social insurance and housing fund paid by the employee, monthly")
        ),
        additional_deductions: str = typer.Option(
            "0", help=_("special additional deductions, monthly")
        ),
        start_month: str = typer.Option("1", help=_("first month with this employer")),
        first_job_this_year: bool = typer.Option(
            False,
            "--first-job-this-year",
            help=_("first wage income of the year (公告2020年第13号)"),
        ),
        under_60k: bool = typer.Option(
            False, "--under-60k", help=_("earned at most 60,000 here last year (公告2020年第19号)")
        ),
        as_json: bool = json_option,
    ) -> None:
        data = calculations.calc_iit(
            year=year,
            monthly_income=monthly_income,
            special_deductions=special_deductions,
            additional_deductions=additional_deductions,
            start_month=start_month,
            is_first_job_this_year=first_job_this_year,
            is_under_60k=under_60k,
        )
        _emit(data, as_json, _show_iit)

    @calc.command("bonus", help=_("Annual one-time bonus by separate taxation."))
    def calc_bonus(
        amount: str = typer.Option(..., help=_("bonus amount")),
        annual_taxable: str = typer.Option(
            "", help=_("annual taxable wage income without the bonus, to compare merging")
        ),
        year: str = typer.Option("", help=_("year the bonus is paid")),
        as_json: bool = json_option,
    ) -> None:
        _emit(
            calculations.calc_bonus(amount=amount, annual_taxable=annual_taxable, year=year),
            as_json,
            _show_bonus,
        )

    @calc.command("pension", help=_("Retirement date and pension estimate, and a gap's cost."))
    def calc_pension(
        birth: str = typer.Option(..., help=_("birth month, YYYY-MM")),
        gender: str = typer.Option(
            ..., help=_("male, female (retires at 55 before the reform) or female_worker (50)")
        ),
        avg_wage: str = typer.Option(..., help=_("average wage of the province")),
        contribution_index: str = typer.Option(..., help=_("average contribution index")),
        years: str = typer.Option(..., help=_("contribution years")),
        account_balance: str = typer.Option(..., help=_("personal account balance")),
        gap_months: str = typer.Option("0", help=_("months of contributions missing")),
        gap_base: str = typer.Option("", help=_("base those months would have had")),
        as_json: bool = json_option,
    ) -> None:
        data = calculations.calc_pension(
            birth=birth,
            gender=gender,
            avg_wage=avg_wage,
            contribution_index=contribution_index,
            years=years,
            account_balance=account_balance,
            gap_months=gap_months,
            gap_base=gap_base,
        )
        _emit(data, as_json, _show_pension)

    @calc.command(
        "deductions",
        help=_("Monthly special additional deductions, 2023 standards (国发〔2023〕13号)."),
    )
    def calc_deductions(
        children: str = typer.Option("0", help=_("children in education")),
        children_share: str = typer.Option("100", help=_("share in percent: 100 or 50")),
        infants: str = typer.Option("0", help=_("children under 3")),
        infants_share: str = typer.Option("100", help=_("share in percent: 100 or 50")),
        elderly_only_child: bool = typer.Option(
            False, "--elderly-only-child", help=_("only child supporting parents")
        ),
        elderly_share: str = typer.Option("0", help=_("a sibling's monthly share, at most 1500")),
        continuing_education: bool = typer.Option(
            False, "--continuing-education", help=_("degree continuing education")
        ),
        housing_loan: bool = typer.Option(
            False, "--housing-loan", help=_("first-home loan interest")
        ),
        housing_loan_share: str = typer.Option("100", help=_("share in percent: 100 or 50")),
        rent_tier: str = typer.Option("", help=_("housing rent: major, large or other city")),
        as_json: bool = json_option,
    ) -> None:
        data = calculations.calc_deductions(
            children=children,
            children_share=children_share,
            infants=infants,
            infants_share=infants_share,
            elderly_only_child=elderly_only_child,
            elderly_share=elderly_share,
            continuing_education=continuing_education,
            housing_loan=housing_loan,
            housing_loan_share=housing_loan_share,
            rent_tier=rent_tier,
        )
        _emit(
            data,
            as_json,
            lambda d: console.print(_("Special additional deductions: %(monthly)s a month") % d),
        )

    _policy_commands(policy, json_option)

    from renshi.payroll.cli import register as register_payroll

    register_payroll(app, json_option)

    from renshi.people.cli import register as register_people

    register_people(app)

    from renshi.alerts.cli import register as register_alerts

    register_alerts(app, json_option)
    from renshi.evidence.cli import register as register_evidence

    register_evidence(app, json_option)

    @app.command("demo", help=_("Load the demo company (with its payroll) into the database."))
    def demo(
        employees: int = typer.Option(120, help=_("number of employees")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.web.services import demo_data_load

        with console.status(_("Creating the demo company…")) as status:

            def progress(step: str) -> None:
                status.update(_("Demo company: %(step)s done") % {"step": step})

            result = demo_data_load(employees=employees, progress=progress)
        if as_json:
            print_json(result)
            return
        if result["username"]:
            console.print(
                _("Back office: sign in at /admin/ as %(user)s / %(password)s")
                % {"user": result["username"], "password": result["password"]}
            )
        company = result["company"]
        if company["created"]:
            console.print(
                _(
                    "Demo company %(company)s: %(employees)s employees, payroll closed for "
                    "%(months)s months, %(open)s calculated and awaiting approval. Accounts "
                    "%(accounts)s, password %(password)s."
                )
                % {
                    "company": company["company"],
                    "employees": company["employees"],
                    "months": company["months_closed"],
                    "open": company["open_month"],
                    "accounts": ", ".join(company["accounts"]),
                    "password": company["password"],
                }
            )
            from renshi.demo_story import STAGE_NAMES

            console.print(
                _("The story as of %(now)s (make run serves at this moment):")
                % {"now": company["now"]}
            )
            for stage in company["stages"]:
                employees = ", ".join(stage["employees"]) or "-"
                console.print(f"  {_(STAGE_NAMES[stage['stage']])}: {employees}")
        else:
            console.print(_("Demo data already present; nothing changed."))

    return app


def _policy_commands(policy: typer.Typer, json_option: Any) -> None:
    from renshi.core.months import Month
    from renshi.core.policy_loader import BUNDLED_DIR, load_policy_file
    from renshi.policies.models import PolicyFile
    from renshi.policies.presenters import city_detail, city_summary
    from renshi.policies.selectors import IMPORTED_PREFIX, policy_library
    from renshi.policies.services import policy_file_import, policy_file_withdraw

    @policy.command(
        "list", help=_("Cities in the library, their coverage and sources' confidence.")
    )
    def policy_list(as_json: bool = json_option) -> None:
        data = [city_summary(p) for _, p in sorted(policy_library().cities.items())]
        if as_json:
            print_json(data)
            return
        rows = [
            [
                d["city"],
                d["name_zh"],
                d["coverage"]["social_insurance"],
                d["coverage"]["housing_fund"],
                str(d["confidence"]["V"]),
                str(d["confidence"]["R"]),
                str(d["confidence"]["U"]),
                str(d["confidence"]["unknown"]),
                d["origin_label"],
            ]
            for d in data
        ]
        console.print(
            _table(
                _("Policy library"),
                [
                    _("City"),
                    _("Name"),
                    _("Social insurance"),
                    _("Housing fund"),
                    "V",
                    "R",
                    "U",
                    _("Unknown"),
                    _("From"),
                ],
                rows,
            )
        )

    @policy.command(
        "show", help=_("One city's periods and figures, or the figures in force for one month.")
    )
    def policy_show(
        city: str,
        month: str = typer.Option("", help=_("month, YYYY-MM")),
        as_json: bool = json_option,
    ) -> None:
        library = policy_library()
        item = library.city(city)
        data = city_detail(item)
        if month:
            snapshot = library.lookup(city, Month.parse(month, field="month"))
            data["social_insurance"] = [
                p
                for p in data["social_insurance"]
                if p["start"] == str(snapshot.social_insurance.start)
            ]
            data["housing_fund"] = [
                p for p in data["housing_fund"] if p["start"] == str(snapshot.housing_fund.start)
            ]
            data["warnings"] = [w.message.render(_) for w in snapshot.warnings]
        if as_json:
            print_json(data)
            return
        for period in data["social_insurance"]:
            rows = []
            for kind, fig in period["items"].items():
                rows.append(
                    [
                        kind,
                        *(
                            _figure_text(fig.get(name))
                            for name in ("floor", "ceiling", "employer_rate", "employee_rate")
                        ),
                    ]
                )
            title = f"{data['name_zh']} {_('Social insurance')} {period['start']}..{period['end']}"
            if period["is_provisional"]:
                title += f" ({_('provisional')})"
            console.print(
                _table(
                    title,
                    [_("Item"), _("Floor"), _("Ceiling"), _("Employer rate"), _("Employee rate")],
                    rows,
                )
            )
        for period in data["housing_fund"]:
            console.print(
                f"{_('Housing fund')} {period['start']}..{period['end']}: "
                + ", ".join(
                    f"{name} {_figure_text(period[name])}"
                    for name in ("floor", "ceiling", "min_rate", "max_rate", "default_rate")
                )
            )
        for period in data["minimum_wage"]:
            console.print(
                f"{_('Minimum wage')} {period['start']}..{period['end'] or ''}: "
                f"{_figure_text(period['monthly'])}"
            )
        _warn(data.get("warnings", []))

    @policy.command("check", help=_("Validate policy files without importing them."))
    def policy_check(files: list[Path], as_json: bool = json_option) -> None:
        results = []
        for file in files:
            loaded = load_policy_file(file)
            results.append(
                {"file": str(file), "city": loaded.city, "confidence": loaded.confidence_counts()}
            )
        if as_json:
            print_json(results)
        else:
            for result in results:
                console.print(_("%(file)s: valid (%(city)s)") % result)

    @policy.command("import", help=_("Validate a policy file and make it the city's policy."))
    def policy_import(
        file: Path,
        note: str = typer.Option("", help=_("why it changed")),
        as_json: bool = json_option,
    ) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise typer.BadParameter(str(error), param_hint="FILE") from None
        record, loaded = policy_file_import(text=text, filename=file.name, note=note)
        result = {"id": record.pk, "city": loaded.city, "confidence": loaded.confidence_counts()}
        if as_json:
            print_json(result)
        else:
            console.print(_("Imported %(city)s as policy file #%(id)s.") % result)

    @policy.command("export", help=_("Print the policy file in force for a city."))
    def policy_export(city: str) -> None:
        item = policy_library().city(city)
        if item.origin.startswith(IMPORTED_PREFIX):
            record_id = item.origin.removeprefix(IMPORTED_PREFIX).split(":", 1)[0]
            record = PolicyFile.objects.get(pk=int(record_id))
            print(record.content, end="")
        else:
            path = Path(item.origin)
            print(
                (path if path.exists() else BUNDLED_DIR / f"{city}.toml").read_text("utf-8"), end=""
            )

    @policy.command("withdraw", help=_("Stop using a city's imported file."))
    def policy_withdraw(city: str) -> None:
        count = policy_file_withdraw(city=city)
        console.print(
            _("%(count)d import(s) withdrawn for %(city)s.") % {"count": count, "city": city}
        )


def _figure_text(figure: dict[str, Any] | None) -> str:
    if figure is None:
        return "-"
    if not figure["is_known"]:
        return _("unknown")
    return f"{figure['value']} [{figure['confidence']}]"
