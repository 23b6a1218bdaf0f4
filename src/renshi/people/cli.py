"""``renshi people ...`` (batch 增员 and 减员 from Excel, export) and ``renshi keys ...``.

The commands run as the system (``actor=None``): whoever runs them on the server may do
everything. A rejected spreadsheet prints one line per problem and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from renshi.cli import print_json
from renshi.core.errors import CoreError
from renshi.people import crypto
from renshi.people.errors import UnknownCodeError
from renshi.people.models import Company

REJECTED_EXIT_CODE = 2


def _company(code: str) -> Company:
    company = Company.objects.filter(code=code.strip()).first()
    if company is None:
        raise UnknownCodeError(field="company", value=code)
    return company


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _rejected(error: CoreError, as_json: bool) -> typer.Exit:
    """Print every problem of a rejected file; the caller raises the returned exit."""
    from renshi.people.spreadsheets import SpreadsheetRejected

    problems = error.problems if isinstance(error, SpreadsheetRejected) else []
    if as_json:
        print_json(
            {
                "error": error.render(_),
                "problems": [
                    {
                        "row": p.row,
                        "column": p.column,
                        "header": p.header,
                        "reason": p.reason.render(_),
                    }
                    for p in problems
                ],
            }
        )
    else:
        _stderr(_("error: %(message)s") % {"message": error.render(_)})
        for problem in problems:
            _stderr(problem.message.render(_))
    return typer.Exit(REJECTED_EXIT_CODE)


def register(app: typer.Typer) -> None:
    """Add the ``people`` and ``keys`` command groups to the ``renshi`` command."""
    people = typer.Typer(
        help=_("Employees: batch enrolment (增员) and removal (减员) from Excel, and export."),
        no_args_is_help=True,
    )
    keys = typer.Typer(
        help=_("Encryption keys of resident IDs and bank accounts: make one, re-encrypt."),
        no_args_is_help=True,
    )
    app.add_typer(people, name="people")
    app.add_typer(keys, name="keys")
    _people_commands(people)
    _key_commands(keys)


def _people_commands(people: typer.Typer) -> None:
    from renshi.people.spreadsheets import (
        SpreadsheetRejected,
        employees_export,
        employees_import,
        removals_import,
    )

    company_option = typer.Option(..., "--company", help=_("company code"))
    json_option = typer.Option(False, "--json", help=_("print JSON for scripts"))
    file_argument = typer.Argument(..., exists=True, dir_okay=False, help=_("the .xlsx file"))
    out_option = typer.Option(..., "--out", dir_okay=False, help=_("the .xlsx file to write"))

    @people.command(
        "import",
        help=_(
            "Hire everyone in an .xlsx file (batch 增员). The whole file is checked first; "
            "any problem rejects it and nothing is imported."
        ),
    )
    def people_import(
        file: Path = file_argument,
        company: str = company_option,
        as_json: bool = json_option,
    ) -> None:
        try:
            result = employees_import(actor=None, company=_company(company), file=file)
        except SpreadsheetRejected as error:
            raise _rejected(error, as_json) from None
        if as_json:
            print_json({"numbers": result.numbers, "enrolments": result.enrolment_count})
            return
        print(
            _(
                "Imported %(count)d employee(s); %(enrolments)d enrolment(s) (增员) to file "
                "with the social insurance bureau."
            )
            % {"count": result.count, "enrolments": result.enrolment_count}
        )

    @people.command(
        "remove",
        help=_(
            "Resign everyone in an .xlsx file of employee numbers and last working days "
            "(batch 减员). Any problem rejects the whole file."
        ),
    )
    def people_remove(
        file: Path = file_argument,
        company: str = company_option,
        as_json: bool = json_option,
    ) -> None:
        try:
            result = removals_import(actor=None, company=_company(company), file=file)
        except SpreadsheetRejected as error:
            raise _rejected(error, as_json) from None
        if as_json:
            print_json({"numbers": result.numbers, "removals": result.enrolment_count})
            return
        print(
            _("%(count)d employee(s) leaving; %(removals)d removal(s) (减员) to file.")
            % {"count": result.count, "removals": result.enrolment_count}
        )

    @people.command(
        "export", help=_("Write the company's employees to an .xlsx file in the import's columns.")
    )
    def people_export(
        company: str = company_option,
        out: Path = out_option,
        reveal: bool = typer.Option(
            False, "--reveal", help=_("write resident IDs and bank accounts in full")
        ),
        include_left: bool = typer.Option(
            False, "--include-left", help=_("include employees who have left")
        ),
    ) -> None:
        data = employees_export(
            actor=None, company=_company(company), reveal=reveal, include_left=include_left
        )
        out.write_bytes(data)
        print(_("Wrote %(path)s.") % {"path": out})


def _key_commands(keys: typer.Typer) -> None:
    from renshi.people.services import people_keys_rotate

    @keys.command(
        "generate",
        help=_(
            "Print a new key-ring entry (kid:key). Put it first in RENSHI_ENCRYPTION_KEYS, "
            "keep the older keys after it, then run renshi keys rotate."
        ),
    )
    def keys_generate(
        kid: str = typer.Option("", "--kid", help=_("key id; default k<today's date>")),
    ) -> None:
        try:
            print(crypto.generate_key(kid or f"k{timezone.localdate():%Y%m%d}"))
        except ImproperlyConfigured as error:
            raise typer.BadParameter(str(error), param_hint="--kid") from None

    @keys.command(
        "rotate",
        help=_(
            "Re-encrypt every value still under an older key with the first key of "
            "RENSHI_ENCRYPTION_KEYS. The older keys may be removed afterwards."
        ),
    )
    def keys_rotate(
        batch_size: int = typer.Option(1000, "--batch-size", min=1, help=_("rows per transaction")),
        as_json: bool = typer.Option(False, "--json", help=_("print JSON for scripts")),
    ) -> None:
        count = people_keys_rotate(batch_size=batch_size)
        kid = crypto.current_kid()
        if as_json:
            print_json({"count": count, "kid": kid})
            return
        print(_("%(count)d value(s) re-encrypted with key %(kid)s.") % {"count": count, "kid": kid})
