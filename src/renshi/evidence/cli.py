"""``renshi evidence verify|checkpoint|export|keygen|public-key``: the evidence log from the
command line.

``verify`` exits with status 1 when the log does not verify, after printing the first problem as
one line (``error: entry 41 was changed: ...``) and the others after it; ``--json`` prints the
whole report. ``export`` writes one employee's case package (``renshi.evidence.package``).
Refusals (a checkpoint older than the last, a key file that exists, an employee number that
several companies use) exit with 2, as every refused command does.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import typer
from django.utils.translation import gettext as _

VERIFY_FAILED_EXIT_CODE = 1
SHOWN_PROBLEMS = 20


def register(app: typer.Typer, json_option: Any) -> None:
    evidence = typer.Typer(
        help=_("The evidence log: verify it, sign a checkpoint, make a signing key."),
        no_args_is_help=True,
    )
    app.add_typer(evidence, name="evidence")

    @evidence.command(
        "verify",
        help=_(
            "Recompute the whole log from its stored bytes: leaf hashes, indexes, attachments, "
            "every checkpoint's root, signature and timestamp. Exit status 1 if anything differs."
        ),
    )
    def verify(as_json: bool = json_option) -> None:
        from renshi.evidence.verify import evidence_log_verify

        report = evidence_log_verify()
        if as_json:
            from renshi.cli import print_json

            print_json(_report_data(report))
        else:
            _print_report(report)
        if not report.is_intact:
            raise typer.Exit(VERIFY_FAILED_EXIT_CODE)

    @evidence.command(
        "checkpoint",
        help=_(
            "Sign the log's size and root now, and have it timestamped if RENSHI_TSA_URL is set."
        ),
    )
    def checkpoint(
        now: str = typer.Option("", help=_("the moment, ISO 8601 (default: now)")),
        as_json: bool = json_option,
    ) -> None:
        from django.conf import settings

        from renshi.alerts.cli import parse_now
        from renshi.evidence.errors import EvidenceError
        from renshi.evidence.keys import signing_key
        from renshi.evidence.selectors import evidence_checkpoint_bundle
        from renshi.evidence.services import (
            evidence_checkpoint_create,
            evidence_checkpoint_timestamp,
        )

        key = signing_key()
        created = evidence_checkpoint_create(now=parse_now(now) if now else None)
        timestamp_error = None
        if settings.RENSHI_TSA_URL:
            try:
                evidence_checkpoint_timestamp(checkpoint=created)
            except EvidenceError as error:  # the checkpoint stands; `renshi tick` retries
                timestamp_error = error.render(_)
        bundle = evidence_checkpoint_bundle(checkpoint=created)
        data = {
            "origin": bundle.text.origin,
            "size": bundle.text.size,
            "root": base64.b64encode(bundle.text.root).decode(),
            "time": bundle.message.decode().split("\n")[3],
            "message": bundle.message.decode(),
            "signature": base64.b64encode(bundle.signature).decode(),
            "key": bundle.key_fingerprint,
            "is_development_key": key.is_development,
            "timestamps": len(bundle.timestamps),
            "timestamp_error": timestamp_error,
        }
        if as_json:
            from renshi.cli import print_json

            print_json(data)
        else:
            print(
                _("Checkpoint signed: %(size)s entries, root %(root)s, at %(time)s (key %(key)s)")
                % data
            )
            if bundle.timestamps:
                print(_("Timestamped by %(url)s") % {"url": bundle.timestamps[0].tsa_url})
        if key.is_development:
            print(
                _("warning: signed with a development key (%(path)s); set RENSHI_EVIDENCE_KEY")
                % {"path": key.path},
                file=sys.stderr,
            )
        if timestamp_error:
            print(_("warning: %(message)s") % {"message": timestamp_error}, file=sys.stderr)

    package_out_option = typer.Option(..., "--out", dir_okay=False, help=_("the ZIP file to write"))

    @evidence.command(
        "export",
        help=_(
            "Write one employee's evidence package (ZIP): their entries and attachments, "
            "inclusion proofs, the signed checkpoint and its timestamp, a timeline PDF and "
            "verify.py, to be checked offline with sha256sum, openssl and Python."
        ),
    )
    def export(
        employee: str = typer.Option(
            ..., "--employee", help=_("the employee number, as `renshi alerts list` shows it")
        ),
        company: str = typer.Option(
            "", "--company", help=_("company code (needed when companies share the number)")
        ),
        out: Path = package_out_option,
        as_json: bool = json_option,
    ) -> None:
        from renshi.evidence.keys import signing_key
        from renshi.evidence.package import evidence_package_build, evidence_package_employee

        person = evidence_package_employee(number=employee, company_code=company)
        package = evidence_package_build(employee=person, out=out)
        data = {
            "path": str(out),
            "employee": person.number,
            "company": person.company.code,
            "entries": package.entry_count,
            "checkpoint_size": package.checkpoint.size,
            "timestamps": package.checkpoint.timestamps.count(),
            "bytes": len(package.data),
            "sha256": package.sha256,
            "sums_sha256": package.sums_sha256,
            "timestamp_error": (
                None if package.timestamp_error is None else package.timestamp_error.render(_)
            ),
        }
        if as_json:
            from renshi.cli import print_json

            print_json(data)
        else:
            print(
                _("Evidence package written to %(path)s: %(entries)s entries of %(employee)s, "
                  "proven against a checkpoint of %(checkpoint_size)s entries "
                  "(%(timestamps)s timestamps); %(bytes)s bytes, SHA-256 %(sha256)s") % data
            )  # fmt: skip
        if signing_key().is_development:
            print(
                _("warning: signed with a development key; set RENSHI_EVIDENCE_KEY"),
                file=sys.stderr,
            )
        if data["timestamp_error"]:
            print(_("warning: %(message)s") % {"message": data["timestamp_error"]}, file=sys.stderr)

    out_option = typer.Option(..., "--out", dir_okay=False, help=_("the key file to write"))

    @evidence.command(
        "keygen",
        help=_(
            "Make a new Ed25519 signing key (PEM, readable by you only) and print its public key; "
            "then set RENSHI_EVIDENCE_KEY to the file."
        ),
    )
    def keygen(out: Path = out_option) -> None:
        from renshi.evidence.keys import fingerprint, public_pem, public_raw, signing_key_generate

        raw = public_raw(signing_key_generate(path=out))
        print(public_pem(raw).decode(), end="")
        print(
            _("Key %(key)s written to %(path)s. Set RENSHI_EVIDENCE_KEY=%(path)s and publish "
              "the public key above.") % {"key": fingerprint(raw), "path": out},
            file=sys.stderr,
        )  # fmt: skip

    @evidence.command(
        "public-key",
        help=_("Print the public key that checks checkpoints (PEM, for openssl)."),
    )
    def public_key() -> None:
        from renshi.evidence.keys import public_pem, signing_key

        print(public_pem(signing_key().public_raw).decode(), end="")


def _report_data(report: Any) -> dict[str, Any]:
    return {
        "is_intact": report.is_intact,
        "size": report.size,
        "root": base64.b64encode(report.root).decode(),
        "checkpoints": report.checkpoints,
        "timestamps": report.timestamps,
        "blobs": report.blobs,
        "first_bad_index": report.first_bad_index,
        "problem_count": report.problem_count,
        "problems": [
            {"index": problem.index, "message": problem.message.render(_)}
            for problem in report.problems
        ],
        "warnings": [warning.render(_) for warning in report.warnings],
        "seconds": round(report.seconds, 3),
    }


def _print_report(report: Any) -> None:
    for warning in report.warnings:
        print(_("warning: %(message)s") % {"message": warning.render(_)}, file=sys.stderr)
    if report.is_intact:
        print(
            _(
                "The evidence log verifies: %(size)s entries, %(checkpoints)s checkpoints "
                "(%(timestamps)s timestamps), %(blobs)s attachments, root %(root)s; "
                "%(seconds).1f s"
            )
            % {
                "size": report.size,
                "checkpoints": report.checkpoints,
                "timestamps": report.timestamps,
                "blobs": report.blobs,
                "root": base64.b64encode(report.root).decode(),
                "seconds": report.seconds,
            }
        )
        return
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(_("error: %(message)s") % {"message": problem.message.render(_)}, file=sys.stderr)
    hidden = report.problem_count - min(len(report.problems), SHOWN_PROBLEMS)
    if hidden > 0:
        print(_("... and %(count)s more problems") % {"count": hidden}, file=sys.stderr)
