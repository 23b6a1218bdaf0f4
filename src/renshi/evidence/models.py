"""The evidence log's tables.

An entry is a document in canonical JSON (``canonical.canonical_json``)::

    {"blobs": {"letter.pdf": "<sha256 hex>"}, "company": 3, "corrects": null,
     "data": {...}, "employee": 17, "index": 42, "kind": "notice.sent",
     "recorded_at": "2025-11-07T09:00:00.123456+08:00", "v": 1}

Its leaf hash (RFC 6962: ``SHA-256(0x00 || bytes)``) is what the Merkle tree is built from. The
columns beside the bytes (index, kind, company, employee, time, corrects) repeat what the
document says so that the log can be queried; ``verify`` checks that they agree with it, so
changing a column is as visible as changing the bytes. Attachments (a notice's exact bytes, a
demand letter's PDF, a scanned receipt) are stored once per content in ``EvidenceBlob`` and named
in the document by their SHA-256.

Entries, blobs, checkpoints and timestamps are append-only: triggers installed by migration 0002
(``triggers``) make the database refuse UPDATE and DELETE on them. A correction is a new entry
whose ``corrects`` is the index of the entry it corrects. Only ``EvidenceLogState`` (the size
and the Merkle frontier, to append without rereading the log) is updated, and nothing that
verifies the log trusts it.

Kinds are dotted names, thing then event; each is written by one service, in the transaction
of the change it records (the data of each is described where it is built, ``<app>/evidence.py``):

- people: ``employee.onboarded``, ``employee.resigned``, ``enrolment.confirmed``;
- leave: ``leave.requested`` (with the cost statement the employee saw), ``leave.approved``,
  ``leave.rejected``, ``leave.cancelled``;
- payroll, at approval: ``payroll.payslip`` (one per payslip, with its contributions item by
  item), ``arrears.posted``, ``policy.used``, ``payroll.approved``; then ``payroll.paid``,
  ``payroll.reopened``; the ledger: ``arrears.repaid``, ``arrears.waived``,
  ``arrears.receivable``, ``arrears.prepaid``;
- warnings and notices: ``alert.raised``, ``alert.changed``, ``notice.created``,
  ``notice.sent`` (the exact bytes sent as a blob), ``notice.opened``, ``notice.acknowledged``,
  ``letter.issued`` (the PDF), ``letter.dispatched`` (the scanned receipt);
- the log itself: ``evidence.exported`` (a case package was handed out).

Entries about one employee carry them in ``employee``; copies of notices to HR and finance, and
company-wide records (approvals, policies), carry none, so that a case package holds no one
else's personal data.

On SQLite, a migration that rebuilds one of these tables (most ``AlterField`` operations do)
drops its triggers with the old table: such a migration must call ``triggers.install`` again.
``renshi evidence verify`` warns when a trigger is missing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.people.models import Company, Employee

LOG_STATE_ID = 1


class EvidenceBlob(models.Model):
    """Bytes attached to entries, stored once, keyed by their SHA-256."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    data = models.BinaryField(_("bytes"))

    class Meta:
        db_table = "evidence_blob"
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")

    def __str__(self) -> str:
        return self.sha256


class EvidenceEntry(models.Model):
    """One record in the log: its canonical bytes, their leaf hash, and query columns."""

    index = models.PositiveBigIntegerField(_("index"), primary_key=True, db_column="log_index")
    kind = models.CharField(_("kind"), max_length=80)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whom the record is about, for the case file of one employee."),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    corrects = models.PositiveBigIntegerField(
        _("corrects entry"), null=True, blank=True, help_text=_("Index of the entry corrected.")
    )
    canonical = models.BinaryField(_("canonical JSON"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)

    class Meta:
        db_table = "evidence_entry"
        verbose_name = _("evidence entry")
        verbose_name_plural = _("evidence entries")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class EvidenceCheckpoint(models.Model):
    """A signed statement of the log's size and root at a time (``checkpoint_text``)."""

    origin = models.CharField(_("origin"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    root = models.BinaryField(_("root"), max_length=32)
    signed_at = models.DateTimeField(_("time"))
    signature = models.BinaryField(_("Ed25519 signature"), max_length=64)
    public_key = models.BinaryField(_("Ed25519 public key"), max_length=32)

    class Meta:
        db_table = "evidence_checkpoint"
        verbose_name = _("evidence checkpoint")
        verbose_name_plural = _("evidence checkpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.origin} {self.size} {self.signed_at:%Y-%m-%d %H:%M:%S}"


class EvidenceTimestamp(models.Model):
    """An RFC 3161 timestamp token from an outside authority over a checkpoint's signed text."""

    checkpoint = models.ForeignKey(
        EvidenceCheckpoint,
        verbose_name=_("checkpoint"),
        on_delete=models.PROTECT,
        related_name="timestamps",
    )
    tsa_url = models.CharField(_("timestamp authority"), max_length=500)
    token = models.BinaryField(_("timestamp token (DER)"))
    stamped_at = models.DateTimeField(_("time stamped"))

    class Meta:
        db_table = "evidence_timestamp"
        verbose_name = _("evidence timestamp")
        verbose_name_plural = _("evidence timestamps")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.stamped_at:%Y-%m-%d %H:%M:%S}"


class EvidenceLogState(models.Model):
    """The one row appends lock: the next index and the Merkle frontier (``CompactRange``).

    Appending locks this row, so indexes are assigned one at a time and without gaps, and reads
    no entry: the frontier (one hash per bit set in ``size``) is enough to extend the tree.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=LOG_STATE_ID)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    frontier = models.BinaryField(_("Merkle frontier"), default=b"")
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        db_table = "evidence_log_state"
        verbose_name = _("evidence log state")
        verbose_name_plural = _("evidence log state")

    def __str__(self) -> str:
        return f"{self.size}"
