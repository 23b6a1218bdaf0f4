"""The ``renshi`` command: Renshi's own commands, and Django's management commands.

``renshi calc|policy|people|keys|payroll|arrears ...`` and ``renshi demo`` are Renshi's;
anything else (``renshi migrate``, ``renshi createsuperuser``, ``renshi runserver``) goes to
Django.
``DATABASE_URL`` selects the database for both. Messages are in Chinese unless ``--lang en``
or ``RENSHI_LANG=en`` asks for English. ``--json`` prints what scripts read; people get tables.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

RENSHI_COMMANDS = {
    "calc",
    "policy",
    "demo",
    "payroll",
    "arrears",
    "people",
    "keys",
    "alerts",
    "evidence",
    "tick",
    "--help",
    "-h",
}
LANGUAGES = {"zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans", "en": "en"}


def _pop_language(argv: list[str]) -> str:
    language = os.environ.get("RENSHI_LANG", "zh-hans")
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            language = argv[index + 1]
            del argv[index : index + 2]
            break
        if arg.startswith("--lang="):
            language = arg.split("=", 1)[1]
            del argv[index]
            break
    return LANGUAGES.get(language.strip().lower(), "zh-hans")


def _setup_django(language: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renshi.config.settings.dev")
    import django
    from django.utils import translation

    django.setup()
    translation.activate(language)


def _fail(message: str, code: int = 2) -> int:
    from django.utils.translation import gettext

    print(gettext("error: %(message)s") % {"message": message}, file=sys.stderr)
    return code


def _option_name(field: str | None, options: set[str]) -> str | None:
    if field is None:
        return None
    dashed = field.replace("_", "-")
    return f"--{dashed}" if dashed in options else field


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    language = _pop_language(args)
    _setup_django(language)
    if not args or args[0] in RENSHI_COMMANDS:
        return _run_renshi(args)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["renshi", *args])
    return 0


def _run_renshi(args: list[str]) -> int:
    import typer
    from django.db import DatabaseError
    from django.utils.translation import gettext

    from renshi.cli_commands import build_app, option_names
    from renshi.core.errors import CoreError, Message

    app = build_app()
    try:
        result = app(args=args, prog_name="renshi", standalone_mode=False)
    except CoreError as error:
        field = _option_name(error.field, option_names(args))
        return _fail(Message(error.template, {**error.params, "field": field}).render(gettext))
    except typer.Abort:
        return _fail(gettext("aborted"), 1)
    except DatabaseError:
        if _needs_migrate():
            return _fail(gettext("the database is not set up yet: run `renshi migrate` first"), 1)
        raise
    except typer.TyperException as error:  # usage errors: missing or malformed options
        format_message = getattr(error, "format_message", None)
        message = format_message() if format_message else str(error)
        if type(error).__name__ == "NoArgsIsHelpError":  # `renshi calc` alone: show its help
            print(message)
            return 0
        return _fail(" ".join(message.split()), getattr(error, "exit_code", 2))
    return result if isinstance(result, int) else 0


def _needs_migrate() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
